using System.Diagnostics;
using CIOPulse.Api.Auth;

namespace CIOPulse.Tests.Unit;

/// <summary>
/// Keys are compared in time that does not depend on where they differ. On 1 MiB values an ordinary
/// comparison that stops at the first difference is thousands of times faster for a difference in
/// the first byte than in the last; the key comparison must take the same time for both.
/// </summary>
public sealed class KeyComparisonTests
{
    [Fact]
    public void Where_two_keys_differ_does_not_change_how_long_the_comparison_takes()
    {
        const int size = 1024 * 1024;
        var expected = new byte[size];
        Random.Shared.NextBytes(expected);
        var differsFirst = (byte[])expected.Clone();
        differsFirst[0] ^= 1;
        var differsLast = (byte[])expected.Clone();
        differsLast[^1] ^= 1;
        Assert.True(ApiKeyAuthenticator.SameBytes(expected, (byte[])expected.Clone()));
        Assert.False(ApiKeyAuthenticator.SameBytes(differsFirst, expected));
        Assert.False(ApiKeyAuthenticator.SameBytes(differsLast, expected));

        // Interleaved rounds, medians: robust to a noisy machine.
        var first = new List<double>();
        var last = new List<double>();
        for (var round = 0; round < 15; round++)
        {
            first.Add(Time(differsFirst, expected));
            last.Add(Time(differsLast, expected));
        }

        var ratio = Median(last) / Median(first);
        Assert.True(ratio is > 0.33 and < 3, $"a difference in the last byte took {ratio:0.00}× as long as one in the first");
    }

    private static double Time(byte[] presented, byte[] expected)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            ApiKeyAuthenticator.SameBytes(presented, expected);
        }

        return watch.Elapsed.TotalMicroseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
