using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

public sealed class AccountGrain(
    [PersistentState(AccountGrain.StateName, StorageNames.Accounts)] IPersistentState<AccountState> account,
    SecretProtector secrets,
    IOptions<WebhookOptions> options,
    IDestinationResolver resolver,
    TimeProvider timeProvider) : Grain, IAccountGrain
{
    /// <summary>The name of the account state in <see cref="StorageNames.Accounts"/> (what <see cref="IAccountCatalog"/> lists).</summary>
    public const string StateName = "account";

    private const int MaxCredentialLength = 256;
    private const int MaxKeys = 20;

    // Until when a portal page watches the log (memory only: a new activation waits for the next renewal).
    private DateTimeOffset _liveLogUntil;

    private AccountState State => account.State;

    private bool Exists => State.Name is not null;

    private string AccountId => this.GetPrimaryKeyString();

    public async Task<Account> Upsert(string name, AccountPlan plan)
    {
        State.Name = name;
        State.Plan = plan;
        if (!AllowsWebhooks(plan))
        {
            // A downgrade turns webhooks off (SPEC §3).
            State.WebhooksEnabled = false;
        }

        await account.WriteStateAsync();
        return new Account(AccountId, name, plan);
    }

    public Task<Account?> Get() =>
        Task.FromResult(Exists ? new Account(AccountId, State.Name!, State.Plan) : null);

    public async Task<bool> AddKey(string keyHash)
    {
        if (!Exists)
        {
            return false;
        }

        State.KeyHashes.Add(keyHash);
        if (State.KeyHashes.Count > MaxKeys)
        {
            State.KeyHashes.RemoveAt(0);
        }

        await account.WriteStateAsync();
        return true;
    }

    public Task<bool> HasKey(string keyHash) =>
        Task.FromResult(Exists && State.KeyHashes.Contains(keyHash, StringComparer.Ordinal));

    public Task<WebhookSettings?> GetSettings() => Task.FromResult(Exists ? CurrentSettings() : null);

    public async Task<SettingsUpdateResult> UpdateSettings(WebhookSettingsUpdate update)
    {
        if (!Exists)
        {
            return new SettingsUpdateResult(SettingsUpdateOutcome.AccountNotFound);
        }

        var (accepted, refusal) = await CheckSettingsAsync(update, State.Plan, options.Value.AllowPrivateNetworks, resolver, CancellationToken.None);
        if (refusal is not null)
        {
            return refusal;
        }

        if (accepted.Signatures == true && State.EncryptedSigningSecret is null)
        {
            return Invalid("signatures", "Signatures need a signing secret: create one first (POST …/webhook-settings/signing-secret, or Create signing secret in the portal).");
        }

        State.WebhooksEnabled = accepted.Enabled;
        State.Url = accepted.Url;
        State.Username = accepted.Username;
        State.ServiceNowWrapper = accepted.ServiceNowWrapper;
        State.SignaturesEnabled = accepted.Signatures ?? State.SignaturesEnabled;
        if (accepted.Password is { } password)
        {
            State.EncryptedPassword = password.Length == 0 ? null : secrets.Protect(password, AccountId);
        }

        await account.WriteStateAsync();
        return new SettingsUpdateResult(SettingsUpdateOutcome.Updated, CurrentSettings());
    }

    public Task<DeliveryTarget?> GetDeliveryTarget() => Task.FromResult(Exists
        ? new DeliveryTarget(State.WebhooksEnabled && AllowsWebhooks(State.Plan), State.Url, State.Username, State.EncryptedPassword, State.ServiceNowWrapper,
            LiveLog: timeProvider.GetUtcNow() < _liveLogUntil, SigningSecrets: SigningSecretsNow())
        : null);

    public Task KeepLogLive(TimeSpan period)
    {
        _liveLogUntil = timeProvider.GetUtcNow() + period;
        return Task.CompletedTask;
    }

    public async Task<SecretReEncryption> ReEncryptPassword()
    {
        if (State.EncryptedPassword is not { } stored)
        {
            return SecretReEncryption.NothingStored;
        }

        var again = secrets.TryReProtect(stored, AccountId);
        if (again is null)
        {
            return SecretReEncryption.Undecryptable;
        }

        if (again == stored)
        {
            return SecretReEncryption.AlreadyCurrent;
        }

        State.EncryptedPassword = again;
        await account.WriteStateAsync();
        return SecretReEncryption.ReEncrypted;
    }

    public async Task<SigningSecretIssue> CreateSigningSecret()
    {
        if (!Exists)
        {
            return new SigningSecretIssue(SigningSecretOutcome.AccountNotFound);
        }

        if (!AllowsWebhooks(State.Plan))
        {
            return new SigningSecretIssue(SigningSecretOutcome.PlanDoesNotAllowWebhooks,
                Error: $"Webhooks (and their signatures) are available on the Corporate and Enterprise plans; this account is on the {State.Plan} plan.");
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var rotated = State.EncryptedSigningSecret is not null;
        var secret = WebhookSignature.NewSecret();
        State.EncryptedPreviousSigningSecret = State.EncryptedSigningSecret;
        State.PreviousSecretSignsUntilUtc = rotated ? now + options.Value.SigningSecretOverlap : null;
        State.EncryptedSigningSecret = secrets.Protect(secret, SigningPurpose);
        State.SigningSecretCreatedUtc = now;
        await account.WriteStateAsync();
        return new SigningSecretIssue(rotated ? SigningSecretOutcome.Rotated : SigningSecretOutcome.Created, secret, now, State.PreviousSecretSignsUntilUtc);
    }

    public async Task<SecretReEncryption> ReEncryptSigningSecrets()
    {
        if (State.EncryptedSigningSecret is not { } current)
        {
            return SecretReEncryption.NothingStored;
        }

        // A previous secret past its overlap signs nothing any more: dropped rather than carried on.
        var previous = PreviousSecretSigns() ? State.EncryptedPreviousSigningSecret : null;
        var currentAgain = secrets.TryReProtect(current, SigningPurpose);
        var previousAgain = previous is null ? null : secrets.TryReProtect(previous, SigningPurpose);
        if (currentAgain is null || (previous is not null && previousAgain is null))
        {
            return SecretReEncryption.Undecryptable;
        }

        if (currentAgain == current && previousAgain == State.EncryptedPreviousSigningSecret)
        {
            return SecretReEncryption.AlreadyCurrent;
        }

        State.EncryptedSigningSecret = currentAgain;
        State.EncryptedPreviousSigningSecret = previousAgain;
        State.PreviousSecretSignsUntilUtc = previousAgain is null ? null : State.PreviousSecretSignsUntilUtc;
        await account.WriteStateAsync();
        return currentAgain == current && previousAgain is null ? SecretReEncryption.AlreadyCurrent : SecretReEncryption.ReEncrypted;
    }

    public static bool AllowsWebhooks(AccountPlan plan) => plan is AccountPlan.Corporate or AccountPlan.Enterprise;

    private string SigningPurpose => WebhookSignature.ProtectionPurpose(AccountId);

    private WebhookSettings CurrentSettings() =>
        new(State.WebhooksEnabled, State.Url, State.Username, State.EncryptedPassword is not null, State.ServiceNowWrapper,
            State.SignaturesEnabled, State.SigningSecretCreatedUtc, PreviousSecretSigns() ? State.PreviousSecretSignsUntilUtc : null);

    private bool PreviousSecretSigns() =>
        State.EncryptedPreviousSigningSecret is not null && State.PreviousSecretSignsUntilUtc is { } until && timeProvider.GetUtcNow().UtcDateTime < until;

    /// <summary>The encrypted secrets that sign an attempt made now, newest first; null when signatures are off.</summary>
    private IReadOnlyList<string>? SigningSecretsNow()
    {
        if (!State.SignaturesEnabled || State.EncryptedSigningSecret is not { } current)
        {
            return null;
        }

        return PreviousSecretSigns() ? [current, State.EncryptedPreviousSigningSecret!] : [current];
    }

    /// <summary>
    /// The rules a settings update must meet on an account of <paramref name="plan"/>: the update as
    /// it is to be stored (URL trimmed, an empty URL or username as none), or why it is refused.
    /// </summary>
    public static async Task<(WebhookSettingsUpdate Accepted, SettingsUpdateResult? Refusal)> CheckSettingsAsync(
        WebhookSettingsUpdate update, AccountPlan plan, bool allowPrivateNetworks, IDestinationResolver resolver, CancellationToken cancellationToken)
    {
        if (update.Enabled && !AllowsWebhooks(plan))
        {
            return (update, new SettingsUpdateResult(SettingsUpdateOutcome.PlanDoesNotAllowWebhooks,
                Error: $"Webhooks are available on the Corporate and Enterprise plans; this account is on the {plan} plan."));
        }

        if (update.Signatures == true && !AllowsWebhooks(plan))
        {
            return (update, new SettingsUpdateResult(SettingsUpdateOutcome.PlanDoesNotAllowWebhooks,
                Error: $"Webhooks (and their signatures) are available on the Corporate and Enterprise plans; this account is on the {plan} plan."));
        }

        var url = string.IsNullOrWhiteSpace(update.Url) ? null : update.Url.Trim();
        if (url is null && update.Enabled)
        {
            return (update, Invalid("url", "A webhook URL is required to turn webhooks on."));
        }

        if (url is not null)
        {
            if (DestinationPolicy.ValidateUrlSyntax(url) is { } syntaxProblem)
            {
                return (update, Invalid("url", $"The webhook URL {syntaxProblem}."));
            }

            if (await DestinationPolicy.CheckDestinationAsync(new Uri(url), allowPrivateNetworks, resolver.ResolveAsync, cancellationToken) is { } destinationProblem)
            {
                return (update, Invalid("url", $"The webhook URL's host {destinationProblem}."));
            }
        }

        var username = string.IsNullOrEmpty(update.Username) ? null : update.Username;
        if (username is { Length: > MaxCredentialLength })
        {
            return (update, Invalid("username", $"The username must be at most {MaxCredentialLength} characters."));
        }

        if (username is not null && (username.Contains(':', StringComparison.Ordinal) || username.Any(char.IsControl)))
        {
            return (update, Invalid("username", "The username must not contain ':' or control characters (HTTP Basic authentication)."));
        }

        if (update.Password is { Length: > MaxCredentialLength })
        {
            return (update, Invalid("password", $"The password must be at most {MaxCredentialLength} characters."));
        }

        return (update with { Url = url, Username = username }, null);
    }

    private static SettingsUpdateResult Invalid(string field, string error) =>
        new(SettingsUpdateOutcome.Invalid, Field: field, Error: error);
}
