using CIOPulse.Grains;

namespace CIOPulse.Persistence.Memory;

/// <summary>
/// For stores that apply each write at once in memory (embedded mode): there is no commit to share
/// and nothing survives a crash to be left half-written.
/// </summary>
public sealed class ImmediateWrites : IAtomicWrites
{
    public static readonly ImmediateWrites Instance = new();

    private ImmediateWrites()
    {
    }

    public Task Together(params Func<Task>[] writes) => Task.WhenAll(writes.Select(write => write()));
}
