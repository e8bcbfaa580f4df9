namespace CIOPulse.Grains;

/// <summary>
/// Lets a grain store writes that go through different services (its state, its log row) in one
/// all-or-nothing commit: the writes it starts inside <see cref="Together"/>, before disposing the
/// scope, are committed together or not at all. Writes started later, or by other grains, are not
/// part of it.
/// </summary>
public interface IAtomicWrites
{
    /// <summary>
    /// Opens the scope; disposing it submits what was started inside, as one unit. Start the writes
    /// and close the scope without awaiting in between: a write of the unit completes only after
    /// the scope is disposed.
    /// </summary>
    IDisposable Together();
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

    public IDisposable Together() => NoScope.Instance;

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}
