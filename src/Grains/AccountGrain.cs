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

        State.WebhooksEnabled = accepted.Enabled;
        State.Url = accepted.Url;
        State.Username = accepted.Username;
        State.ServiceNowWrapper = accepted.ServiceNowWrapper;
        if (accepted.Password is { } password)
        {
            State.EncryptedPassword = password.Length == 0 ? null : secrets.Protect(password, AccountId);
        }

        await account.WriteStateAsync();
        return new SettingsUpdateResult(SettingsUpdateOutcome.Updated, CurrentSettings());
    }

    public Task<DeliveryTarget?> GetDeliveryTarget() => Task.FromResult(Exists
        ? new DeliveryTarget(State.WebhooksEnabled && AllowsWebhooks(State.Plan), State.Url, State.Username, State.EncryptedPassword, State.ServiceNowWrapper,
            LiveLog: timeProvider.GetUtcNow() < _liveLogUntil)
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

    public static bool AllowsWebhooks(AccountPlan plan) => plan is AccountPlan.Corporate or AccountPlan.Enterprise;

    private WebhookSettings CurrentSettings() =>
        new(State.WebhooksEnabled, State.Url, State.Username, State.EncryptedPassword is not null, State.ServiceNowWrapper);

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
