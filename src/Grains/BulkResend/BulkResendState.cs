using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains.BulkResend;

/// <summary>
/// A bulk resend operation's durable state: small on purpose (the ids are in its chunks), written at
/// every checkpoint. <see cref="Position"/>: the contiguous prefix of the ids done, with its counts.
/// </summary>
[GenerateSerializer, Alias("ciopulse.BulkResendState")]
public sealed class BulkResendState
{
    [Id(0)] public string? AccountId { get; set; }
    [Id(1)] public BulkResendFilter? Filter { get; set; }
    [Id(2)] public int RatePerSecond { get; set; }
    [Id(3)] public int Total { get; set; }
    [Id(4)] public BulkResendStatus Status { get; set; }
    [Id(5)] public int Position { get; set; }
    [Id(6)] public int Succeeded { get; set; }
    [Id(7)] public int Failed { get; set; }
    [Id(8)] public DateTime StartedUtc { get; set; }
    [Id(9)] public DateTime? FinishedUtc { get; set; }

    public bool Exists => AccountId is not null;
}
