using CIOPulse.Grains;

namespace CIOPulse.Persistence.Memory;

/// <summary>The accounts of an <see cref="InProcessGrainStorage"/>: the keys of its rows of account state.</summary>
public sealed class InProcessAccountCatalog(InProcessGrainStorage storage) : IAccountCatalog
{
    public Task<IReadOnlyList<string>> ListAccountIdsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. storage.GrainIds(AccountGrain.StateName).Select(id => id.Key.ToString()!).Order(StringComparer.Ordinal)]);
}
