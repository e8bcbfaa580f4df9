namespace CIOPulse.Grains;

/// <summary>
/// Lets a grain store writes that go through different services (its state, its log row) in one
/// all-or-nothing commit.
/// </summary>
public interface IAtomicWrites
{
    /// <summary>
    /// Starts every write, closes them into one unit, then completes when the unit is committed
    /// (faults when it is not: then none of them is). Each write must hand its work to the store
    /// before its first await, as the stores of this project do; one that does not is reported as
    /// an error rather than silently committed on its own.
    /// </summary>
    Task Together(params Func<Task>[] writes);
}

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
