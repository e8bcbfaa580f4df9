using CIOPulse.Api.Endpoints;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;

namespace CIOPulse.Api.Portal.Pages;

/// <summary>
/// Preferences › Integration: the article's four fields, the ServiceNow option and signatures. The
/// rules are the API's (the account grain checks them): a refusal is shown next to the field it
/// names. The password is write-only: the page says whether one is stored, never what it is; a
/// signing secret is shown once, in the answer to the POST that makes it, and never again. "Send
/// test" sends the sample survey to the SAVED settings (its own form, so unsaved edits are neither
/// saved nor tested), through the API's own handling, and shows the outcome on the page.
/// </summary>
public sealed class SettingsModel : PortalPageModel
{
    public enum PasswordChange
    {
        Keep,
        Replace,
        Clear,
    }

    [BindProperty]
    public bool Enabled { get; set; }

    [BindProperty]
    public string? WebhookUrl { get; set; }

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public PasswordChange PasswordAction { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public bool ServiceNowWrapper { get; set; }

    [BindProperty]
    public bool Signatures { get; set; }

    [FromQuery(Name = "saved")]
    public bool Saved { get; set; }

    public bool HasPassword { get; private set; }

    public DateTime? SigningSecretCreatedUtc { get; private set; }

    public DateTime? PreviousSecretSignsUntilUtc { get; private set; }

    /// <summary>The signing secret just made or rotated: on this one answer only.</summary>
    public string? NewSigningSecret { get; private set; }

    public bool PlanAllowsWebhooks => Account.Plan is AccountPlan.Corporate or AccountPlan.Enterprise;

    /// <summary>A refusal that names no field of the form (the plan, say).</summary>
    public string? FormError { get; private set; }

    public PayloadPreview? Preview { get; private set; }

    /// <summary>Whether a URL is saved (what Send test needs).</summary>
    public bool HasSavedUrl { get; private set; }

    /// <summary>The outcome of the test just sent.</summary>
    public WebhookSettingsEndpoints.TestWebhookResponse? TestResult { get; private set; }

    /// <summary>Why the test was not sent (plan, no URL, too many tests).</summary>
    public string? TestError { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadSavedAsync())
        {
            return Redirect(PortalPaths.SignIn);
        }

        await LoadPreviewAsync();
        return Page();
    }

    /// <summary>Send test: the API's answer to <c>POST …/webhook-settings/test</c>, shown with the saved settings.</summary>
    public async Task<IActionResult> OnPostTestAsync()
    {
        var limiter = HttpContext.RequestServices.GetRequiredService<TestWebhookLimiter>();
        var answer = await WebhookSettingsEndpoints.SendTestAsync(Account.Id, Grains, limiter, Response);
        if (!await LoadSavedAsync())
        {
            return Redirect(PortalPaths.SignIn);
        }

        await LoadPreviewAsync();
        switch (answer.Result)
        {
            case Ok<WebhookSettingsEndpoints.TestWebhookResponse> ok:
                TestResult = ok.Value;
                break;
            case ProblemHttpResult problem:
                TestError = PortalProblems.FieldError(problem).Message;
                Response.StatusCode = problem.StatusCode;
                break;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var account = Grains.GetGrain<IAccountGrain>(Account.Id);
        ShowStored(await account.GetSettings());
        await LoadPreviewAsync();
        if (PasswordAction == PasswordChange.Replace && string.IsNullOrEmpty(NewPassword))
        {
            ModelState.AddModelError(nameof(NewPassword), "Type the new password, or choose Keep.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var password = PasswordAction switch
        {
            PasswordChange.Replace => NewPassword,
            PasswordChange.Clear => "",
            _ => null,
        };
        var result = await account.UpdateSettings(new WebhookSettingsUpdate(Enabled, WebhookUrl, Username, password, ServiceNowWrapper, Signatures));
        if (result.Outcome == SettingsUpdateOutcome.Updated)
        {
            return Redirect(PortalPaths.Settings + "?saved=true");
        }

        // The same answer the API gives, shown where it belongs.
        var (field, message) = WebhookSettingsEndpoints.ToHttpResult(Account.Id, result).Result is ProblemHttpResult problem
            ? PortalProblems.FieldError(problem)
            : (null, "The settings could not be saved.");
        var property = field switch
        {
            "url" => nameof(WebhookUrl),
            "username" => nameof(Username),
            "password" => nameof(NewPassword),
            "signatures" => nameof(Signatures),
            _ => null,
        };
        if (property is null)
        {
            FormError = message;
        }
        else
        {
            ModelState.AddModelError(property, message);
        }

        Response.StatusCode = result.Outcome == SettingsUpdateOutcome.PlanDoesNotAllowWebhooks ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>Makes the first signing secret or rotates it, and shows it on this answer (which no cache keeps).</summary>
    public async Task<IActionResult> OnPostSigningSecretAsync()
    {
        var issue = await Grains.GetGrain<IAccountGrain>(Account.Id).CreateSigningSecret();
        if (!await LoadSavedAsync())
        {
            return Redirect(PortalPaths.SignIn);
        }

        await LoadPreviewAsync();
        if (issue.Outcome is SigningSecretOutcome.Created or SigningSecretOutcome.Rotated)
        {
            NewSigningSecret = issue.Secret;
            return Page();
        }

        FormError = issue.Error ?? "The signing secret could not be made.";
        Response.StatusCode = issue.Outcome == SigningSecretOutcome.PlanDoesNotAllowWebhooks ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>The form as saved; false when the account is gone.</summary>
    private async Task<bool> LoadSavedAsync()
    {
        if (await Grains.GetGrain<IAccountGrain>(Account.Id).GetSettings() is not { } settings)
        {
            return false;
        }

        Enabled = settings.Enabled;
        WebhookUrl = settings.Url;
        Username = settings.Username;
        ServiceNowWrapper = settings.ServiceNowWrapper;
        Signatures = settings.SignaturesEnabled;
        ShowStored(settings);
        return true;
    }

    /// <summary>What the page says about what is stored (never a secret's value), also when a refused form is shown again.</summary>
    private void ShowStored(WebhookSettings? settings)
    {
        HasPassword = settings?.HasPassword ?? false;
        HasSavedUrl = settings?.Url is not null;
        SigningSecretCreatedUtc = settings?.SigningSecretCreatedUtc;
        PreviousSecretSignsUntilUtc = settings?.PreviousSecretSignsUntilUtc;
    }

    private async Task LoadPreviewAsync() =>
        Preview = await Grains.GetGrain<ISurveyCompletionGrain>(0).Preview(Account.Id, SampleSurvey.Completion());
}
