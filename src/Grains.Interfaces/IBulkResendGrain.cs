using Orleans.Concurrency;

namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// One bulk resend operation (key: its id). Keeps its progress durably (a contiguous prefix of its
/// webhook ids done, with the counts) and a reminder while it runs, so it resumes where it was after
/// a silo's death. Every read names the account: another account's operation answers null.
/// </summary>
[Alias("ciopulse.IBulkResendGrain")]
public interface IBulkResendGrain : IGrainWithStringKey
{
    /// <summary>Starts the operation over the ids already written to its chunks; a repeated start answers the progress.</summary>
    [Alias("Start")]
    Task<BulkResendProgress> Start(BulkResendDefinition definition);

    [AlwaysInterleave, Alias("GetProgress")]
    Task<BulkResendProgress?> GetProgress(string accountId);

    /// <summary>Stops starting resends (those in flight finish and are counted); null when not the account's.</summary>
    [Alias("Cancel")]
    Task<BulkResendProgress?> Cancel(string accountId);
}
