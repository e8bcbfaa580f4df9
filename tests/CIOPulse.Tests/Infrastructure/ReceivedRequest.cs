namespace CIOPulse.Tests.Infrastructure;

/// <summary>One POST as the receiver saw it.</summary>
public sealed record ReceivedRequest(
    string Path,
    string? WebhookId,
    string Body,
    string? ContentType,
    string? Authorization,
    DateTime ReceivedUtc,
    int AnsweredStatus,
    IReadOnlyDictionary<string, string> Headers);
