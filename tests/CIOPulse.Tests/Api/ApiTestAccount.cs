namespace CIOPulse.Tests.Api;

/// <summary>
/// An account made for one test: its id, an issued account key, the receiver path its webhooks go
/// to, and the id of one webhook it has triggered.
/// </summary>
internal sealed record ApiTestAccount(string Id, string Key, string ReceiverPath, string WebhookId);
