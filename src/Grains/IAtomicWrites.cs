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
