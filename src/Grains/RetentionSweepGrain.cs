using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

/// <summary>
/// The retention (<c>Webhooks:RetentionDays</c>): an Orleans reminder wakes this grain every
/// <c>Webhooks:RetentionSweepInterval</c>, on whichever silo holds it. A tick asks the log for the
/// oldest finished webhooks past the cut-off, <c>Webhooks:RetentionSweepBatchSize</c> at a time, and
/// has each one's own grain expire it (<see cref="IWebhookDeliveryGrain.Expire"/>: the grain checks
/// the rule against its stored state, so a webhook resent since the log row was read is kept).
/// At most <see cref="Parallelism"/> expiries are in flight, so a sweep adds a steady trickle to the
/// group commit rather than a flood. A stretch of work stops after <c>Webhooks:RetentionSweepTickBudget</c>;
/// when candidates are left, a one-shot grain timer goes on after <see cref="ContinuationPause"/>
/// instead of waiting for the next tick, so a backlog is worked off continuously (a tick every
/// 10 minutes with 20 s of work each would expire at most a thirtieth of what the sweep can). The
/// reminder stays the durable backstop: a silo lost mid-backlog leaves the next tick to go on.
/// </summary>
public sealed partial class RetentionSweepGrain(
    IWebhookLogStore logStore,
    GrainReferences grains,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<RetentionSweepGrain> logger) : Grain, IRetentionSweepGrain, IRemindable
{
    public const string ReminderName = "retention-sweep";

    /// <summary>Expiries in flight at once.</summary>
    public const int Parallelism = 16;

    /// <summary>The pause between two stretches of a backlog: other work on the activation's silo gets a turn.</summary>
    public static readonly TimeSpan ContinuationPause = TimeSpan.FromMilliseconds(100);

    // The timer that continues a backlog, while one is pending; the grain is not reentrant and timers
    // are not interleaved, so stretches never overlap.
    private IGrainTimer? _continuation;

    private WebhookOptions Options => options.Value;

    public async Task Start()
    {
        var interval = Options.RetentionSweepInterval;
        await this.RegisterOrUpdateReminder(ReminderName, interval, interval);
    }

    public Task<RetentionSweepReport> SweepNow() => SweepAndContinueAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ReminderName)
        {
            await SweepAndContinueAsync();
        }
    }

    /// <summary>A stretch of the sweep, then, when it ran out of time with candidates left, the next one soon.</summary>
    private async Task<RetentionSweepReport> SweepAndContinueAsync()
    {
        var (report, outOfTime) = await SweepAsync();
        if (!outOfTime || report.Expired == 0)
        {
            // Done, the log or the webhooks could not be reached, or nothing it found could expire
            // (so going on at once would only ask for the same rows): the next tick tries again.
            _continuation?.Dispose();
            _continuation = null;
        }
        else if (_continuation is null)
        {
            _continuation = this.RegisterGrainTimer(
                async _ =>
                {
                    _continuation?.Dispose();
                    _continuation = null;
                    await SweepAndContinueAsync();
                },
                new GrainTimerCreationOptions(ContinuationPause, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }

        return report;
    }

    /// <summary>One stretch; <c>OutOfTime</c>: it stopped on its budget with candidates left (not on a failure).</summary>
    private async Task<(RetentionSweepReport Report, bool OutOfTime)> SweepAsync()
    {
        var started = timeProvider.GetTimestamp();
        var budget = TimeSpan.FromTicks(Math.Min(Options.RetentionSweepTickBudget.Ticks, Options.RetentionSweepInterval.Ticks));
        var batchSize = Options.RetentionSweepBatchSize;
        var cutoff = timeProvider.GetUtcNow().UtcDateTime - Options.Retention;
        var batches = new List<int>();
        int expired = 0, kept = 0, failed = 0;
        RetentionCandidate? after = null;
        bool complete, outOfTime = false;
        while (true)
        {
            IReadOnlyList<RetentionCandidate> candidates;
            try
            {
                candidates = await logStore.FindExpiryCandidatesAsync(cutoff, after, batchSize);
            }
            catch (Exception e)
            {
                LogCandidatesFailed(e);
                complete = false;
                break;
            }

            batches.Add(candidates.Count);
            var (batchExpired, batchKept, batchFailed) = await ExpireAsync(candidates, cutoff);
            expired += batchExpired;
            kept += batchKept;
            failed += batchFailed;
            LogBatch(candidates.Count, batchExpired, batchKept, batchFailed);
            complete = candidates.Count < batchSize;

            // A batch that failed whole (the database away) ends the tick rather than hammer on.
            if (complete || (batchFailed > 0 && batchFailed == candidates.Count))
            {
                break;
            }

            if (timeProvider.GetElapsedTime(started) >= budget)
            {
                outOfTime = true;
                break;
            }

            // Keyset on: webhooks kept (or failed) in this batch are not asked again in this tick.
            after = candidates[^1];
        }

        var elapsed = timeProvider.GetElapsedTime(started);
        if (expired > 0 || failed > 0)
        {
            LogSwept(expired, kept, failed, batches.Count, (long)elapsed.TotalMilliseconds, cutoff);
        }

        return (new RetentionSweepReport(cutoff, batches, expired, kept, elapsed, complete), outOfTime);
    }

    /// <summary>Expires the batch through the webhooks' grains, <see cref="Parallelism"/> at a time.</summary>
    private async Task<(int Expired, int Kept, int Failed)> ExpireAsync(IReadOnlyList<RetentionCandidate> candidates, DateTime cutoff)
    {
        int expired = 0, kept = 0, failed = 0;
        var inFlight = new List<Task<ExpireOutcome>>(Parallelism);
        foreach (var candidate in candidates)
        {
            if (inFlight.Count == Parallelism)
            {
                Count(await Task.WhenAny(inFlight));
            }

            inFlight.Add(grains.Get<IWebhookDeliveryGrain>(candidate.WebhookId).Expire(cutoff));
        }

        while (inFlight.Count > 0)
        {
            Count(await Task.WhenAny(inFlight));
        }

        return (expired, kept, failed);

        void Count(Task<ExpireOutcome> done)
        {
            inFlight.Remove(done);
            if (!done.IsCompletedSuccessfully)
            {
                // Its row stays a candidate: the next tick asks again. One line per batch, not per webhook.
                if (failed++ == 0)
                {
                    LogExpireFailed(done.Exception?.GetBaseException());
                }
            }
            else if (done.Result == ExpireOutcome.Expired)
            {
                expired++;
            }
            else
            {
                kept++;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retention sweep batch: {Candidates} candidates, {Expired} expired, {Kept} kept, {Failed} failed")]
    private partial void LogBatch(int candidates, int expired, int kept, int failed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep: {Expired} webhooks expired ({Kept} kept, {Failed} failed) in {Batches} batches, {ElapsedMs} ms, last activity before {CutoffUtc:O}")]
    private partial void LogSwept(int expired, int kept, int failed, int batches, long elapsedMs, DateTime cutoffUtc);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep: the log could not be asked for candidates; the next tick tries again")]
    private partial void LogCandidatesFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep: webhooks of a batch could not be expired (the first error follows); the next tick tries them again")]
    private partial void LogExpireFailed(Exception? exception);
}
