namespace CIOPulse.Persistence.Postgres;

/// <summary>Helpers for <see cref="IPostgresBatchPart{T}"/> implementations.</summary>
public static class BatchRounds
{
    /// <summary>
    /// Splits a batch's writes, in order, into rounds in which no key occurs twice, for parts whose
    /// statement may touch a row only once (<c>ON CONFLICT</c>, per-row version checks): a row
    /// written twice in one batch gets its second write in a later statement, after the first.
    /// </summary>
    public static List<List<T>> ByKey<T, TKey>(IEnumerable<T> writes, Func<T, TKey> key)
        where TKey : notnull
    {
        var rounds = new List<List<T>>();
        var seen = new List<HashSet<TKey>>();
        foreach (var write in writes)
        {
            var round = 0;
            while (round < rounds.Count && !seen[round].Add(key(write)))
            {
                round++;
            }

            if (round == rounds.Count)
            {
                rounds.Add([]);
                seen.Add([key(write)]);
            }

            rounds[round].Add(write);
        }

        return rounds;
    }
}
