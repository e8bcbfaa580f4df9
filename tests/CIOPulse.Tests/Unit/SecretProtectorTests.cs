using System.Security.Cryptography;
using CIOPulse.Grains;

namespace CIOPulse.Tests.Unit;

public sealed class SecretProtectorTests
{
    private const string Account = "acme";
    private const string Secret = "correct horse battery staple";

    private static readonly byte[] _key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly byte[] _newerKey = [.. Enumerable.Range(101, 32).Select(i => (byte)i)];
    private static readonly SecretProtector _protector = new(_key);

    [Theory]
    [InlineData("hunter2")]
    [InlineData("")]
    [InlineData("pässwörd – 密码 – 🔑")]
    [InlineData("with:colons|pipes\nand\0nul")]
    public void Protected_value_round_trips_to_the_plaintext(string plaintext)
    {
        var stored = _protector.Protect(plaintext, Account);

        Assert.Equal(plaintext, _protector.TryUnprotect(stored, Account));
    }

    [Fact]
    public void Long_secret_round_trips()
    {
        var plaintext = new string('x', 10_000);

        Assert.Equal(plaintext, _protector.TryUnprotect(_protector.Protect(plaintext, Account), Account));
    }

    [Fact]
    public void Stored_form_is_v2_with_the_key_id_and_does_not_contain_the_plaintext()
    {
        var stored = _protector.Protect(Secret, Account);

        Assert.StartsWith("v2:" + SecretProtector.KeyIdOf(_key) + ":", stored, StringComparison.Ordinal);
        Assert.Matches("^v2:[0-9a-f]{12}:[A-Za-z0-9+/]+=*$", stored);
        Assert.DoesNotContain(Secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Secret)), stored, StringComparison.Ordinal);
    }

    [Fact]
    public void Protecting_the_same_secret_twice_gives_different_ciphertexts()
    {
        var first = _protector.Protect(Secret, Account);
        var second = _protector.Protect(Secret, Account);

        Assert.NotEqual(first, second);
        Assert.NotEqual(Nonce(first), Nonce(second));
    }

    [Fact]
    public void Value_protected_for_one_account_does_not_decrypt_for_another()
    {
        var stored = _protector.Protect(Secret, Account);

        Assert.Null(_protector.TryUnprotect(stored, "acme2"));
        Assert.Null(_protector.TryUnprotect(stored, "Acme"));
        Assert.Null(_protector.TryUnprotect(stored, ""));
    }

    [Fact]
    public void A_value_decrypted_before_still_refuses_another_purpose_and_an_altered_copy()
    {
        var protector = new SecretProtector(_key);
        var stored = protector.Protect(Secret, Account);
        Assert.Equal(Secret, protector.TryUnprotect(stored, Account));

        // Remembered for (value, purpose) only.
        Assert.Equal(Secret, protector.TryUnprotect(stored, Account));
        Assert.Null(protector.TryUnprotect(stored, "acme2"));
        var altered = stored[..^3] + (stored[^3] == 'A' ? 'B' : 'A') + stored[^2..];
        Assert.Null(protector.TryUnprotect(altered, Account));
    }

    [Fact]
    public void Decrypting_more_values_than_it_remembers_keeps_every_answer_right()
    {
        var protector = new SecretProtector(_key);
        var stored = Enumerable.Range(0, 10_050).Select(i => (Value: protector.Protect($"secret-{i}", Account), Plain: $"secret-{i}")).ToList();

        Assert.All(stored, s => Assert.Equal(s.Plain, protector.TryUnprotect(s.Value, Account)));
        Assert.All(stored.Take(100), s => Assert.Equal(s.Plain, protector.TryUnprotect(s.Value, Account)));
    }

    [Fact]
    public void Value_protected_with_one_key_does_not_decrypt_with_another()
    {
        var stored = _protector.Protect(Secret, Account);

        Assert.Null(SecretProtector.CreateEphemeral().TryUnprotect(stored, Account));
        Assert.Null(new SecretProtector(new byte[32]).TryUnprotect(stored, Account));
    }

    [Fact]
    public void A_key_read_from_base64_decrypts_what_the_same_key_protected()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var stored = new SecretProtector(key).Protect(Secret, Account);

        Assert.Equal(Secret, SecretProtector.FromBase64(Convert.ToBase64String(key)).TryUnprotect(stored, Account));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(27)]
    [InlineData(28)]
    [InlineData(-1)]
    public void Flipping_one_bit_of_nonce_tag_or_ciphertext_makes_it_undecryptable(int byteIndex)
    {
        var stored = _protector.Protect(Secret, Account);
        var bytes = Payload(stored);
        var index = byteIndex < 0 ? bytes.Length + byteIndex : byteIndex;
        bytes[index] ^= 0x01;

        Assert.Null(_protector.TryUnprotect(WithPayload(stored, bytes), Account));
    }

    [Fact]
    public void Truncated_ciphertext_is_undecryptable()
    {
        var stored = _protector.Protect(Secret, Account);

        Assert.Null(_protector.TryUnprotect(WithPayload(stored, Payload(stored)[..^1]), Account));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1:")]
    [InlineData("v1:!!!not base64!!!")]
    [InlineData("v1:AAAA")]
    [InlineData("hunter2")]
    [InlineData("V1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Garbage_or_a_wrong_prefix_is_undecryptable(string stored)
    {
        Assert.Null(_protector.TryUnprotect(stored, Account));
    }

    [Fact]
    public void Valid_ciphertext_under_another_version_prefix_is_undecryptable()
    {
        var stored = _protector.Protect(Secret, Account);
        var payload = Convert.ToBase64String(Payload(stored));

        Assert.Null(_protector.TryUnprotect("v3:" + stored["v2:".Length..], Account));
        Assert.Null(_protector.TryUnprotect("v2:" + payload, Account));
        Assert.Null(_protector.TryUnprotect(stored["v2:".Length..], Account));
        Assert.Null(_protector.TryUnprotect(payload, Account));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("")]
    [InlineData("AAAA")]
    public void FromBase64_rejects_a_bad_key_naming_the_setting(string base64Key)
    {
        var exception = Assert.Throws<ArgumentException>(() => SecretProtector.FromBase64(base64Key));

        Assert.Contains("Secrets:EncryptionKey", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void FromBase64_rejects_a_key_that_is_not_32_bytes_naming_the_setting(int length)
    {
        var exception = Assert.Throws<ArgumentException>(() => SecretProtector.FromBase64(Convert.ToBase64String(new byte[length])));

        Assert.Contains("Secrets:EncryptionKey", exception.Message, StringComparison.Ordinal);
    }

    private static string Nonce(string stored) => Convert.ToHexString(Payload(stored).AsSpan(0, 12));

    /// <summary>nonce ‖ tag ‖ ciphertext of a v2 value.</summary>
    private static byte[] Payload(string stored) => Convert.FromBase64String(stored[(stored.LastIndexOf(':') + 1)..]);

    private static string WithPayload(string stored, byte[] payload) => stored[..(stored.LastIndexOf(':') + 1)] + Convert.ToBase64String(payload);
}
