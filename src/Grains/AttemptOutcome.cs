namespace CIOPulse.Grains;

/// <summary>What one POST produced: an HTTP answer (code and body) or a network error.</summary>
public sealed record AttemptOutcome(int? ResponseCode, string? Response, string? Error)
{
    /// <summary>Success is exactly HTTP 200 (SPEC §6).</summary>
    public bool Succeeded => ResponseCode == 200;

    public static AttemptOutcome Failure(string error) => new(null, null, error);
}
