using System.Text;
using CIOPulse.Grains;
using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Unit;

/// <summary>The product's Standard Webhooks signing, against the specification's published example and the test project's own verifier.</summary>
public sealed class WebhookSignatureTests
{
    // The example in the Standard Webhooks specification and its reference libraries' tests.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string SpecTimestamp = "1614265330";
    private const string SpecBody = """{"test": 2432232314}""";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Fact]
    public void The_signature_of_the_specifications_example_is_the_published_one()
    {
        var signature = WebhookSignature.Sign([WebhookSignature.KeyOf(SpecSecret)!], SpecId, SpecTimestamp, Encoding.UTF8.GetBytes(SpecBody));

        Assert.Equal(SpecSignature, signature);
    }

    [Fact]
    public void The_test_verifier_accepts_the_specifications_example_and_refuses_it_altered()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(long.Parse(SpecTimestamp, System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(StandardWebhooksVerifier.Verify(SpecSecret, SpecId, SpecTimestamp, SpecSignature, SpecBody, at));
        Assert.False(StandardWebhooksVerifier.Verify(SpecSecret, SpecId, SpecTimestamp, SpecSignature, SpecBody + " ", at));
        Assert.False(StandardWebhooksVerifier.Verify(SpecSecret, SpecId + "x", SpecTimestamp, SpecSignature, SpecBody, at));
        Assert.False(StandardWebhooksVerifier.Verify(SpecSecret, SpecId, SpecTimestamp, SpecSignature, SpecBody, at + TimeSpan.FromMinutes(6)));
    }

    [Fact]
    public void Several_keys_give_one_v1_signature_each_in_order_separated_by_spaces()
    {
        var first = WebhookSignature.NewSecret();
        var second = WebhookSignature.NewSecret();
        var body = Encoding.UTF8.GetBytes("""{"Comments":"Très bien \u2014 \"merci\""}""");

        var header = WebhookSignature.Sign([WebhookSignature.KeyOf(first)!, WebhookSignature.KeyOf(second)!], "0f2efe1c678b0", "1764755000", body);

        var parts = header.Split(' ');
        Assert.Equal(2, parts.Length);
        Assert.Equal(WebhookSignature.Sign([WebhookSignature.KeyOf(first)!], "0f2efe1c678b0", "1764755000", body), parts[0]);
        Assert.Equal(WebhookSignature.Sign([WebhookSignature.KeyOf(second)!], "0f2efe1c678b0", "1764755000", body), parts[1]);
    }

    [Fact]
    public void A_new_secret_is_whsec_and_base64_of_32_random_bytes()
    {
        var secrets = Enumerable.Range(0, 20).Select(_ => WebhookSignature.NewSecret()).ToList();

        Assert.All(secrets, secret =>
        {
            Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
            Assert.Equal(32, Convert.FromBase64String(secret[6..]).Length);
            Assert.Equal(32, WebhookSignature.KeyOf(secret)!.Length);
        });
        Assert.Equal(secrets.Count, secrets.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    public void A_value_that_is_not_a_whsec_secret_has_no_key(string value)
    {
        Assert.Null(WebhookSignature.KeyOf(value));
    }

    [Fact]
    public void The_timestamp_is_Unix_seconds()
    {
        Assert.Equal("1614265330", WebhookSignature.Timestamp(DateTimeOffset.FromUnixTimeSeconds(1614265330).AddMilliseconds(999)));
    }
}
