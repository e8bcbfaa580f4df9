using CIOPulse.Grains.Interfaces;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Retention;

/// <summary>
/// A backlog larger than one stretch of the sweep is worked off at once, not a stretch per
/// interval: the interval here is a day (no tick comes during the test) and each stretch does one
/// batch of 10 (<c>Webhooks:RetentionSweepTickBudget</c> 0), so only the sweep's own continuation
/// can expire 35 webhooks after one stretch was started by hand.
/// </summary>
public abstract class RetentionBacklogTests(RetentionFixture fixture)
{
    [Fact]
    public async Task A_backlog_of_35_is_worked_off_in_stretches_of_one_batch_without_waiting_for_the_next_tick()
    {
        var account = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(account);
        await fixture.App.SetSettingsAsync(account, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(account))));
        for (var i = 0; i < 35; i++)
        {
            await fixture.App.PostAcceptedCompletionAsync(account, Completion(NewResponseId()));
        }

        using var client = fixture.App.CreateClient(key);
        await Eventually.ReachAsync(
            () => client.ReadWholeLogAsync(account),
            rows => rows.Count == 35 && rows.All(r => r.Text("status") == "Succeeded"),
            "all 35 delivered", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // past the 2 s retention

        var sweep = fixture.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IRetentionSweepGrain>(IRetentionSweepGrain.Key);
        var first = await sweep.SweepNow();
        Assert.Equal([10], first.BatchSizes);
        Assert.False(first.Complete);

        await Eventually.ReachAsync(
            () => client.ReadWholeLogAsync(account),
            rows => rows.All(r => r.GetProperty("expired").GetBoolean()),
            "all 35 expire through the sweep's continuation", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100),
            rows => $"{rows.Count(r => r.GetProperty("expired").GetBoolean())} of {rows.Count} expired");

        var batches = fixture.Batches();
        Assert.All(batches, b => Assert.InRange(b.Candidates, 0, 10));
        Assert.True(batches.Count(b => b.Candidates == 10) >= 3, $"Batches: {string.Join(", ", batches)}");
        Assert.Equal(35, batches.Sum(b => b.Expired));
    }
}

public sealed class MemoryRetentionBacklogFixture() : RetentionFixture(StorageMode.Memory, BacklogSettings.Values);

public sealed class PostgresRetentionBacklogFixture() : RetentionFixture(StorageMode.Postgres, BacklogSettings.Values);

internal static class BacklogSettings
{
    public static readonly IReadOnlyDictionary<string, string> Values = new Dictionary<string, string>
    {
        ["Webhooks:RetentionSweepInterval"] = "1.00:00:00",
        ["Webhooks:RetentionSweepTickBudget"] = "00:00:00",
    };
}

public sealed class RetentionBacklogTestsInMemory(MemoryRetentionBacklogFixture fixture)
    : RetentionBacklogTests(fixture), IClassFixture<MemoryRetentionBacklogFixture>;

public sealed class RetentionBacklogTestsOnPostgres(PostgresRetentionBacklogFixture fixture)
    : RetentionBacklogTests(fixture), IClassFixture<PostgresRetentionBacklogFixture>;
