namespace CIOPulse.Api.Portal;

/// <summary>Where the portal's screens are.</summary>
public static class PortalPaths
{
    public const string Root = "/portal";
    public const string SignIn = "/portal/sign-in";
    public const string SignOut = "/portal/sign-out";
    public const string Log = "/portal/log";
    public const string Settings = "/portal/settings";
    public const string Live = "/portal/live";
    public const string Assets = "/portal/assets";
    public const string Error = "/portal/error";

    public const string BulkResend = "/portal/log/resend-batch";

    public static string Entry(string webhookId) => Log + "/" + webhookId;

    public static string BulkResendOperation(string operationId) => BulkResend + "/" + operationId;
}
