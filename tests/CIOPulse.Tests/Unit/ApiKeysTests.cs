using CIOPulse.Api.Auth;

namespace CIOPulse.Tests.Unit;

public sealed class ApiKeysTests
{
    private static readonly string _secret = new('A', 43);

    [Theory]
    [InlineData("acme")]
    [InlineData("acme-corp")]
    [InlineData("a1")]
    [InlineData("42")]
    [InlineData("x-9-y-2024")]
    public void Created_key_starts_with_cpk_and_the_account_id(string account)
    {
        var key = ApiKeys.Create(account);

        Assert.StartsWith($"cpk_{account}_", key, StringComparison.Ordinal);
        Assert.Equal($"cpk_{account}_".Length + 43, key.Length);
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("acme-corp")]
    [InlineData("a1")]
    [InlineData("42")]
    [InlineData("x-9-y-2024")]
    [InlineData("a")]
    public void AccountIdOf_returns_the_account_of_every_created_key(string account)
    {
        var randomPartsWithSeparators = 0;
        for (var i = 0; i < 1_000; i++)
        {
            var key = ApiKeys.Create(account);
            var randomPart = key[$"cpk_{account}_".Length..];
            if (randomPart.Contains('_', StringComparison.Ordinal) || randomPart.Contains('-', StringComparison.Ordinal))
            {
                randomPartsWithSeparators++;
            }

            Assert.Equal(account, ApiKeys.AccountIdOf(key));
        }

        // The random part is base64url: most keys hold a '_' or '-' there, so the parse cannot rely on splitting.
        Assert.True(randomPartsWithSeparators > 0);
    }

    [Fact]
    public void AccountIdOf_reads_a_random_part_made_of_separators()
    {
        Assert.Equal("acme-1", ApiKeys.AccountIdOf("cpk_acme-1_" + new string('_', 43)));
        Assert.Equal("acme-1", ApiKeys.AccountIdOf("cpk_acme-1_" + new string('-', 43)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("cpk_")]
    [InlineData("cpk_acme")]
    [InlineData("cpk_acme_")]
    [InlineData("acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("xpk_acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("CPK_acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("cpk__AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("cpk_acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("cpk_acme-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("cpk_acme.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("cpk_acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void AccountIdOf_returns_null_for_a_malformed_key(string key)
    {
        Assert.Null(ApiKeys.AccountIdOf(key));
    }

    [Fact]
    public void Hand_made_key_of_the_created_shape_parses()
    {
        // Guards the table above: a well-formed key with the same shape parses.
        Assert.Equal("acme", ApiKeys.AccountIdOf("cpk_acme_" + _secret));
    }

    [Fact]
    public void Hash_is_64_lowercase_hex_and_stable()
    {
        var key = ApiKeys.Create("acme");

        var hash = ApiKeys.Hash(key);

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, ApiKeys.Hash(new string(key.ToCharArray())));
    }

    [Fact]
    public void Hash_is_the_SHA256_of_the_UTF8_key()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeys.Hash("abc"));
    }

    [Fact]
    public void Different_keys_hash_differently()
    {
        Assert.NotEqual(ApiKeys.Hash("cpk_acme_" + _secret), ApiKeys.Hash("cpk_acme_" + _secret[..^1] + "B"));
    }

    [Fact]
    public void Two_created_keys_for_one_account_differ()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeys.Create("acme")).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(100, keys.Count);
    }
}
