using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Operations;

/// <summary>
/// A healthy start of the silo process with the product's defaults (the article's retry schedule,
/// embedded mode) warns once, that it is not durable. It used to warn also that the reminder period
/// was unsuitable for production (the watchdog period was 10 s) and, from Orleans' watchdog, that a
/// check "has not completed for" as long as the machine had been up.
/// </summary>
public sealed class StartupLogTests
{
    [Fact]
    public async Task A_default_embedded_start_warns_only_that_it_is_not_durable()
    {
        await using var silo = await SiloProcess.StartAsync("defaults", new Dictionary<string, string>
        {
            ["Api:SystemKey"] = SiloApp.SystemKey,
            ["Logging:LogLevel:Default"] = "Information",
        });

        // The watchdog's first checks run within a few seconds of the start.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await silo.StopAsync(TimeSpan.FromSeconds(20));

        var output = silo.Output;
        var warnings = output.Where(line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains("EMBEDDED MODE, NOT DURABLE", warning, StringComparison.Ordinal);
        Assert.Contains(output, line => line.Contains("Application started", StringComparison.Ordinal)); // the whole start is in the output
    }
}
