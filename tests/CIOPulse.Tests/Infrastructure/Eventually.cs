using System.Diagnostics;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// The one way tests wait for something the system does in its own time: probe, and poll until it
/// holds or a deadline passes, then fail saying what did not happen and what was last seen.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(25);

    /// <summary>Probes until <paramref name="until"/> holds for the value; returns that value.</summary>
    /// <param name="what">What should happen, for the failure message ("webhook X succeeds").</param>
    /// <param name="describe">How to show the last value in the failure (its ToString when null).</param>
    public static async Task<T> ReachAsync<T>(
        Func<Task<T>> probe, Func<T, bool> until, string what, TimeSpan? timeout = null, TimeSpan? poll = null, Func<T, string>? describe = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var value = await probe();
            if (until(value))
            {
                return value;
            }

            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Not within {limit}: {what}. Last seen: {(describe is null ? value?.ToString() : describe(value))}");
            }

            await Task.Delay(poll ?? DefaultPoll);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null) =>
        ReachAsync(condition, held => held, what, timeout, poll);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null) =>
        ReachAsync(() => Task.FromResult(condition()), held => held, what, timeout, poll);
}
