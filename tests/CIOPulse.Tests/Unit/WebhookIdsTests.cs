using System.Diagnostics;
using System.Globalization;
using CIOPulse.Api.Endpoints;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Tests.Unit;

public sealed class WebhookIdsTests
{
    private const string Account = "acme";
    private const string ResponseId = "3690";

    [Theory]
    [InlineData("acme", ListeningPost.Transactional, "3690", 0)]
    [InlineData("acme", ListeningPost.Relationship, "3690", 1)]
    [InlineData("", ListeningPost.Transactional, "", 0)]
    [InlineData("ÅccountΩ", ListeningPost.Relationship, "résponse-✓", 7)]
    public void Derived_id_is_13_lowercase_hex_characters(string account, ListeningPost post, string responseId, int salt)
    {
        var id = WebhookIds.Derive(account, post, responseId, salt);

        Assert.Equal(13, id.Length);
        Assert.Matches("^[0-9a-f]{13}$", id);
        Assert.True(WebhookLogEndpoints.IsWebhookId(id));
    }

    [Fact]
    public void Same_inputs_derive_the_same_id()
    {
        var first = WebhookIds.Derive(Account, ListeningPost.Transactional, ResponseId, 0);
        var second = WebhookIds.Derive(new string(Account.ToCharArray()), ListeningPost.Transactional, new string(ResponseId.ToCharArray()), 0);

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData("acme2", ListeningPost.Transactional, "3690", 0)]
    [InlineData("Acme", ListeningPost.Transactional, "3690", 0)]
    [InlineData("acme", ListeningPost.Relationship, "3690", 0)]
    [InlineData("acme", ListeningPost.Transactional, "3691", 0)]
    [InlineData("acme", ListeningPost.Transactional, "3690 ", 0)]
    [InlineData("acme", ListeningPost.Transactional, "3690", 1)]
    [InlineData("acme", ListeningPost.Transactional, "3690", -1)]
    public void Changing_any_input_changes_the_id(string account, ListeningPost post, string responseId, int salt)
    {
        var baseline = WebhookIds.Derive(Account, ListeningPost.Transactional, ResponseId, 0);

        Assert.NotEqual(baseline, WebhookIds.Derive(account, post, responseId, salt));
    }

    [Fact]
    public void Transactional_and_Relationship_derive_different_ids_for_every_salt()
    {
        for (var salt = 0; salt < 5; salt++)
        {
            Assert.NotEqual(
                WebhookIds.Derive(Account, ListeningPost.Transactional, ResponseId, salt),
                WebhookIds.Derive(Account, ListeningPost.Relationship, ResponseId, salt));
        }
    }

    [Theory]
    [InlineData("0123456789abc", true)]
    [InlineData("fffffffffffff", true)]
    [InlineData("0000000000000", true)]
    [InlineData("0123456789ABC", false)]
    [InlineData("0123456789abC", false)]
    [InlineData("0123456789ab", false)]
    [InlineData("0123456789abcd", false)]
    [InlineData("0123456789abg", false)]
    [InlineData("0123456789ab-", false)]
    [InlineData("0123456789ab ", false)]
    [InlineData(" 0123456789ab", false)]
    [InlineData("012345678٩abc", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_13_lowercase_hex_characters_are_taken_for_a_webhook_id(string? id, bool expected)
    {
        Assert.Equal(expected, WebhookLogEndpoints.IsWebhookId(id));
    }

    [Fact]
    public void One_hundred_thousand_response_ids_of_one_account_derive_distinct_ids_in_under_a_second()
    {
        const int count = 100_000;
        var ids = new HashSet<string>(count, StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();

        for (var i = 0; i < count; i++)
        {
            ids.Add(WebhookIds.Derive(Account, ListeningPost.Transactional, i.ToString(CultureInfo.InvariantCulture), 0));
        }

        stopwatch.Stop();
        Assert.Equal(count, ids.Count);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"Deriving {count} ids took {stopwatch.Elapsed}.");
    }

    [Fact]
    public void Drawn_ids_have_the_derived_shape_and_differ_each_time()
    {
        var drawn = Enumerable.Range(0, 1000).Select(_ => WebhookIds.Draw()).ToList();

        Assert.All(drawn, id => Assert.True(WebhookLogEndpoints.IsWebhookId(id), id));
        Assert.Equal(drawn.Count, drawn.Distinct(StringComparer.Ordinal).Count());
    }
}
