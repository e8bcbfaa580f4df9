namespace CIOPulse.Grains;

/// <summary>
/// A bulk resend operation's request on a webhook: <see cref="AttemptNumber"/> is null until the
/// attempt made for it is recorded, then that attempt's number.
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.BulkResendMark")]
public sealed record BulkResendMark([property: Id(0)] string OperationId, [property: Id(1)] int? AttemptNumber);
