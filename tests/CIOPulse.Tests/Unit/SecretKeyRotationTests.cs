using System.Security.Cryptography;
using System.Text;
using CIOPulse.Grains;
using Microsoft.Extensions.Configuration;

namespace CIOPulse.Tests.Unit;

/// <summary>
/// Key rotation of <see cref="SecretProtector"/>: keys newest first, the first encrypts and every one
/// decrypts; v2 values name their key, v1 values (written before key ids) are tried under every key;
/// and the start-up rules of <c>Secrets:EncryptionKeys</c> / <c>Secrets:EncryptionKey</c>.
/// </summary>
public sealed class SecretKeyRotationTests
{
    private const string Account = "acme";
    private const string Secret = "correct horse battery staple";

    private static readonly byte[] _keyA = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] _keyB = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] _keyC = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void A_value_stored_under_the_old_key_decrypts_after_a_new_key_is_put_first_and_new_values_use_the_new_key()
    {
        var stored = new SecretProtector(_keyA).Protect(Secret, Account);
        var rotated = new SecretProtector(_keyB, _keyA);

        Assert.Equal(Secret, rotated.TryUnprotect(stored, Account));
        var fresh = rotated.Protect(Secret, Account);
        Assert.StartsWith($"v2:{SecretProtector.KeyIdOf(_keyB)}:", fresh, StringComparison.Ordinal);
        Assert.Equal(SecretProtector.KeyIdOf(_keyB), rotated.CurrentKeyId);
        Assert.Null(new SecretProtector(_keyA).TryUnprotect(fresh, Account));
        Assert.Equal(Secret, new SecretProtector(_keyB).TryUnprotect(fresh, Account));
    }

    [Fact]
    public void A_value_whose_key_was_removed_does_not_decrypt()
    {
        var stored = new SecretProtector(_keyA).Protect(Secret, Account);

        Assert.Null(new SecretProtector(_keyB).TryUnprotect(stored, Account));
        Assert.Null(new SecretProtector(_keyB, _keyC).TryUnprotect(stored, Account));
    }

    [Fact]
    public void A_v2_value_is_decrypted_only_by_the_key_its_id_names()
    {
        var stored = new SecretProtector(_keyA).Protect(Secret, Account);
        var idA = SecretProtector.KeyIdOf(_keyA);
        var idB = SecretProtector.KeyIdOf(_keyB);
        var both = new SecretProtector(_keyB, _keyA);

        // Relabelled with B's id (B is listed): B is tried and fails; A, which made it, is not tried.
        Assert.Null(both.TryUnprotect(stored.Replace(idA, idB, StringComparison.Ordinal), Account));
        // An id no listed key has: nothing is tried.
        Assert.Null(both.TryUnprotect(stored.Replace(idA, "000000000000", StringComparison.Ordinal), Account));
        Assert.Null(both.TryUnprotect(stored.Replace(idA, idA[..^1], StringComparison.Ordinal), Account));
        Assert.Equal(Secret, both.TryUnprotect(stored, Account));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_v1_value_decrypts_under_whichever_listed_key_made_it(int position)
    {
        var stored = ProtectV1(_keyA, Secret, Account);
        var keys = position == 0 ? new[] { _keyA, _keyB } : [_keyB, _keyC, _keyA];

        Assert.Equal(Secret, new SecretProtector(keys).TryUnprotect(stored, Account));
        Assert.Null(new SecretProtector(_keyB, _keyC).TryUnprotect(stored, Account));
        Assert.Null(new SecretProtector(keys).TryUnprotect(stored, "acme2"));
    }

    [Fact]
    public void A_tampered_v1_value_does_not_decrypt_under_any_key()
    {
        var bytes = Convert.FromBase64String(ProtectV1(_keyA, Secret, Account)["v1:".Length..]);
        bytes[^1] ^= 0x80;

        Assert.Null(new SecretProtector(_keyB, _keyA).TryUnprotect("v1:" + Convert.ToBase64String(bytes), Account));
    }

    [Fact]
    public void A_value_of_one_account_does_not_decrypt_for_another_under_any_key()
    {
        var protector = new SecretProtector(_keyB, _keyA);
        var v2 = new SecretProtector(_keyA).Protect(Secret, Account);

        Assert.Null(protector.TryUnprotect(v2, "other"));
        Assert.Null(protector.TryUnprotect(v2, "portal-key-ring:portal"));
        Assert.Null(protector.TryUnprotect(ProtectV1(_keyA, Secret, Account), "other"));
    }

    [Fact]
    public void Re_protecting_moves_old_and_v1_values_to_the_newest_key_and_leaves_current_ones_alone()
    {
        var rotated = new SecretProtector(_keyB, _keyA);
        var current = rotated.Protect(Secret, Account);

        Assert.Same(current, rotated.TryReProtect(current, Account));
        Assert.True(rotated.IsCurrent(current));
        foreach (var old in new[] { new SecretProtector(_keyA).Protect(Secret, Account), ProtectV1(_keyA, Secret, Account) })
        {
            Assert.False(rotated.IsCurrent(old));
            var again = rotated.TryReProtect(old, Account);
            Assert.NotNull(again);
            Assert.True(rotated.IsCurrent(again));
            Assert.Equal(Secret, new SecretProtector(_keyB).TryUnprotect(again, Account));
        }

        Assert.Null(rotated.TryReProtect(new SecretProtector(_keyC).Protect(Secret, Account), Account));
        Assert.Null(rotated.TryReProtect(new SecretProtector(_keyA).Protect(Secret, Account), "other"));
    }

    [Fact]
    public void A_tampered_value_carrying_the_current_key_id_is_not_taken_as_current()
    {
        var protector = new SecretProtector(_keyB);
        var stored = protector.Protect(Secret, Account);
        var tampered = stored[..^4] + (stored[^4] == 'A' ? "B" : "A") + stored[^3..];

        Assert.Null(protector.TryReProtect(tampered, Account));
    }

    [Fact]
    public void Key_ids_are_short_stable_distinct_and_reveal_nothing_of_the_key()
    {
        var id = SecretProtector.KeyIdOf(_keyA);

        Assert.Matches("^[0-9a-f]{12}$", id);
        Assert.Equal(id, SecretProtector.KeyIdOf([.. _keyA]));
        Assert.NotEqual(id, SecretProtector.KeyIdOf(_keyB));
        Assert.DoesNotContain(id, Convert.ToHexStringLower(_keyA), StringComparison.Ordinal);
        Assert.DoesNotContain(id, Convert.ToHexStringLower(SHA256.HashData(_keyA)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_key_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new SecretProtector(_keyA, _keyB, [.. _keyA]));

        Assert.Contains("entry 2 is the same key as entry 0", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new SecretProtector(Array.Empty<byte[]>()));
    }

    [Fact]
    public void The_list_comes_first_newest_first_and_the_single_key_counts_as_the_oldest()
    {
        var options = Bind(new()
        {
            ["Secrets:EncryptionKey"] = B64(_keyA),
            ["Secrets:EncryptionKeys:0"] = B64(_keyC),
            ["Secrets:EncryptionKeys:1"] = B64(_keyB),
        });

        Assert.Equal([B64(_keyC), B64(_keyB), B64(_keyA)], options.KeysNewestFirst);
        Assert.Equal(SecretProtector.KeyIdOf(_keyC), SecretProtector.FromBase64(options.KeysNewestFirst).CurrentKeyId);
        Assert.Equal([B64(_keyA)], Bind(new() { ["Secrets:EncryptionKey"] = B64(_keyA) }).KeysNewestFirst);
        Assert.Empty(Bind([]).KeysNewestFirst);
    }

    public static TheoryData<Dictionary<string, string?>, string> BadKeySettings() => new()
    {
        { new() { ["Secrets:EncryptionKeys:0"] = B64(_keyA), ["Secrets:EncryptionKeys:1"] = "not base64!" }, "Secrets:EncryptionKeys:1 must be base64 of 32 bytes" },
        { new() { ["Secrets:EncryptionKeys:0"] = Convert.ToBase64String(new byte[31]) }, "Secrets:EncryptionKeys:0 must be base64 of 32 bytes" },
        { new() { ["Secrets:EncryptionKeys:0"] = B64(_keyA), ["Secrets:EncryptionKeys:1"] = "" }, "Secrets:EncryptionKeys:1 must be base64 of 32 bytes" },
        { new() { ["Secrets:EncryptionKeys:0"] = B64(_keyA), ["Secrets:EncryptionKey"] = Convert.ToBase64String(new byte[33]) }, "Secrets:EncryptionKey must be base64 of 32 bytes" },
        { new() { ["Secrets:EncryptionKeys:0"] = B64(_keyA), ["Secrets:EncryptionKeys:1"] = B64(_keyB), ["Secrets:EncryptionKeys:2"] = B64(_keyA) }, "Secrets:EncryptionKeys:2 is the same key as Secrets:EncryptionKeys:0" },
        { new() { ["Secrets:EncryptionKeys:0"] = B64(_keyA), ["Secrets:EncryptionKey"] = B64(_keyA) }, "Secrets:EncryptionKey is the same key as Secrets:EncryptionKeys:0" },
    };

    [Theory]
    [MemberData(nameof(BadKeySettings))]
    public void A_bad_or_repeated_key_fails_validation_naming_it(Dictionary<string, string?> settings, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var result = new SecretsOptionsValidator(configuration.GetSection("Secrets")).Validate(null, Bind(settings));

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.Contains(message, StringComparison.Ordinal));
        Assert.All(settings.Values, value => Assert.DoesNotContain(
            result.Failures!, failure => !string.IsNullOrEmpty(value) && failure.Contains(value, StringComparison.Ordinal)));
    }

    [Fact]
    public void Distinct_good_keys_pass_validation()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Secrets:EncryptionKeys:0"] = B64(_keyA),
            ["Secrets:EncryptionKeys:1"] = B64(_keyB),
            ["Secrets:EncryptionKey"] = B64(_keyC),
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        Assert.True(new SecretsOptionsValidator(configuration.GetSection("Secrets")).Validate(null, Bind(settings)).Succeeded);
    }

    private static string B64(byte[] key) => Convert.ToBase64String(key);

    private static SecretsOptions Bind(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Secrets").Get<SecretsOptions>() ?? new SecretsOptions();

    /// <summary>The stored form before key ids: <c>v1:</c> + base64(nonce ‖ tag ‖ ciphertext), the account as associated data.</summary>
    private static string ProtectV1(byte[] key, string plaintext, string account)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[12 + 16 + plain.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(output.AsSpan(0, 12), plain, output.AsSpan(28), output.AsSpan(12, 16), Encoding.UTF8.GetBytes(account));
        return "v1:" + Convert.ToBase64String(output);
    }
}
