namespace CIOPulse.Tests.Infrastructure;

/// <summary>How the receiver answers one request: a status and body, optionally after a delay, or a redirect.</summary>
public sealed record ReceiverResponse(int Status, string Body = "", TimeSpan Delay = default, string? RedirectTo = null)
{
    public static readonly ReceiverResponse Ok = new(200, "ok");

    public static ReceiverResponse Fail(int status = 500, string body = "receiver error") => new(status, body);
}
