namespace CIOPulse.Grains;

/// <summary>
/// The ids of every account whose state is stored, read from the storage itself (the grains keep
/// no list of their own), for passes that must visit all of them such as re-encrypting passwords.
/// </summary>
public interface IAccountCatalog
{
    Task<IReadOnlyList<string>> ListAccountIdsAsync(CancellationToken cancellationToken);
}
