using System.Buffers.Text;
using System.Globalization;
using System.Text;
using CIOPulse.Grains.Log;

namespace CIOPulse.Tests.Unit;

public sealed class WebhookLogCursorTests
{
    private static readonly DateTime _snapshotUtc = new(2025, 3, 14, 15, 9, 26, DateTimeKind.Utc);
    private static readonly DateTime _activityUtc = new(2025, 3, 14, 12, 0, 0, 123, DateTimeKind.Utc);

    [Fact]
    public void Position_without_an_after_row_round_trips()
    {
        var position = new WebhookLogPosition("42", _snapshotUtc, null, null);

        Assert.True(WebhookLogCursor.TryDecode(WebhookLogCursor.Encode(position), out var decoded));

        Assert.Equal(position, decoded);
        Assert.Equal(DateTimeKind.Utc, decoded!.SnapshotUtc.Kind);
    }

    [Fact]
    public void Position_with_an_after_row_round_trips()
    {
        var position = new WebhookLogPosition(long.MaxValue.ToString(CultureInfo.InvariantCulture), _snapshotUtc, _activityUtc, "0123456789abc");

        Assert.True(WebhookLogCursor.TryDecode(WebhookLogCursor.Encode(position), out var decoded));

        Assert.Equal(position, decoded);
        Assert.Equal(_activityUtc.Ticks, decoded!.AfterLastActivityUtc!.Value.Ticks);
        Assert.Equal(DateTimeKind.Utc, decoded.AfterLastActivityUtc.Value.Kind);
    }

    [Fact]
    public void Position_at_the_extremes_of_time_round_trips()
    {
        var position = new WebhookLogPosition("0", DateTime.MinValue, DateTime.MaxValue, "fffffffffffff");

        Assert.True(WebhookLogCursor.TryDecode(WebhookLogCursor.Encode(position), out var decoded));

        Assert.Equal(position, decoded);
    }

    [Fact]
    public void Cursor_is_url_safe_text()
    {
        var cursor = WebhookLogCursor.Encode(new WebhookLogPosition("8712:8716:8713,8714", _snapshotUtc, _activityUtc, "0123456789abc"));

        Assert.Matches("^[A-Za-z0-9_-]+$", cursor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("!!!!")]
    [InlineData("not a cursor")]
    [InlineData("%2F%2F")]
    [InlineData("A")]
    public void Decode_rejects_garbage(string cursor)
    {
        Assert.False(WebhookLogCursor.TryDecode(cursor, out var position));
        Assert.Null(position);
    }

    [Theory]
    [InlineData("2|42|638776000000000000||")]
    [InlineData("0|42|638776000000000000||")]
    [InlineData("|42|638776000000000000||")]
    [InlineData("v1|42|638776000000000000||")]
    public void Decode_rejects_a_wrong_version(string text)
    {
        Assert.False(WebhookLogCursor.TryDecode(Wrap(text), out _));
    }

    [Theory]
    [InlineData("1|42|638776000000000000|638775000000000000|")]
    [InlineData("1|42|638776000000000000||0123456789abc")]
    public void Decode_rejects_half_a_position(string text)
    {
        Assert.False(WebhookLogCursor.TryDecode(Wrap(text), out _));
    }

    [Theory]
    [InlineData("1|x|638776000000000000||")]
    [InlineData("1|42|y||")]
    [InlineData("1|42|638776000000000000|z|0123456789abc")]
    [InlineData("1|-42|638776000000000000||")]
    [InlineData("1|42|-638776000000000000||")]
    [InlineData("1|42|638776000000000000|-1|0123456789abc")]
    [InlineData("1| 42|638776000000000000||")]
    [InlineData("1|4.2|638776000000000000||")]
    [InlineData("1|42|3155378976000000000||")]
    [InlineData("1|42|638776000000000000|3155378976000000000|0123456789abc")]
    [InlineData("1|8712;8716|638776000000000000||")]
    [InlineData("1|0x2A|638776000000000000||")]
    [InlineData("1||638776000000000000||")]
    [InlineData("1|42|||")]
    public void Decode_rejects_non_numeric_or_out_of_range_parts(string text)
    {
        Assert.False(WebhookLogCursor.TryDecode(Wrap(text), out _));
    }

    [Theory]
    [InlineData("1|42|638776000000000000|")]
    [InlineData("1|42|638776000000000000|||")]
    [InlineData("1")]
    public void Decode_rejects_a_wrong_number_of_parts(string text)
    {
        Assert.False(WebhookLogCursor.TryDecode(Wrap(text), out _));
    }

    [Fact]
    public void Hand_made_well_formed_text_decodes()
    {
        // Guards the tables above: they differ from this only in the part under test.
        Assert.True(WebhookLogCursor.TryDecode(Wrap("1|42|638776000000000000|638775000000000000|0123456789abc"), out var position));

        Assert.Equal(new WebhookLogPosition("42", new DateTime(638776000000000000), new DateTime(638775000000000000), "0123456789abc"), position);
    }

    [Fact]
    public void Decode_rejects_a_cursor_longer_than_2048_characters()
    {
        var tooLong = WebhookLogCursor.Encode(new WebhookLogPosition("42", _snapshotUtc, _activityUtc, new string('a', 1600)));
        var justShort = WebhookLogCursor.Encode(new WebhookLogPosition("42", _snapshotUtc, _activityUtc, new string('a', 1480)));

        Assert.True(tooLong.Length > 2048);
        Assert.False(WebhookLogCursor.TryDecode(tooLong, out _));
        Assert.True(justShort.Length is > 1900 and <= 2048);
        Assert.True(WebhookLogCursor.TryDecode(justShort, out _));
    }

    [Theory]
    [InlineData("8712:8716:8713,8714")]
    [InlineData("8712:8716:")]
    [InlineData("0")]
    public void PostgreSQL_snapshots_round_trip_as_opaque_text(string snapshot)
    {
        var position = new WebhookLogPosition(snapshot, _snapshotUtc, _activityUtc, "0123456789abc");

        Assert.True(WebhookLogCursor.TryDecode(WebhookLogCursor.Encode(position), out var decoded));

        Assert.Equal(position, decoded);
    }

    [Fact]
    public void Decode_rejects_a_snapshot_longer_than_1024_characters()
    {
        var snapshot = string.Join(',', Enumerable.Repeat("12345", 180));
        var position = new WebhookLogPosition(snapshot, _snapshotUtc, null, null);

        Assert.True(snapshot.Length > 1024);
        Assert.False(WebhookLogCursor.TryDecode(WebhookLogCursor.Encode(position), out _));
        Assert.True(WebhookLogCursor.TryDecode(WebhookLogCursor.Encode(position with { Snapshot = snapshot[..1024] }), out _));
    }

    private static string Wrap(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
