using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace CIOPulse.Grains.Log;

/// <summary>
/// The opaque <c>cursor</c> of the log API: a versioned, base64url text form of a
/// <see cref="WebhookLogPosition"/>. Not a secret, but validated on the way back in.
/// </summary>
public static class WebhookLogCursor
{
    /// <summary>How long a pass may take; row versions older than this are pruned.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private const string Version = "1";
    private const int MaxLength = 2048;

    public static string Encode(WebhookLogPosition position)
    {
        var text = string.Join('|',
            Version,
            position.Snapshot,
            position.SnapshotUtc.Ticks.ToString(CultureInfo.InvariantCulture),
            position.AfterLastActivityUtc?.Ticks.ToString(CultureInfo.InvariantCulture) ?? "",
            position.AfterWebhookId ?? "");
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Digits, ':' and ',' only: a version number or a pg_snapshot such as <c>8712:8716:8713,8714</c>.</summary>
    private static bool IsSnapshot(string text) =>
        text.Length is > 0 and <= 1024 && text.All(c => c is (>= '0' and <= '9') or ':' or ',');

    public static bool TryDecode(string cursor, out WebhookLogPosition? position)
    {
        position = null;
        if (cursor.Length > MaxLength)
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = text.Split('|');
        if (parts.Length != 5 || parts[0] != Version
            || !IsSnapshot(parts[1])
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var snapshotTicks)
            || snapshotTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        DateTime? afterActivity = null;
        if (parts[3].Length > 0)
        {
            if (!long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks)
            {
                return false;
            }

            afterActivity = new DateTime(ticks, DateTimeKind.Utc);
        }

        var afterId = parts[4].Length > 0 ? parts[4] : null;
        if ((afterActivity is null) != (afterId is null))
        {
            return false;
        }

        position = new WebhookLogPosition(parts[1], new DateTime(snapshotTicks, DateTimeKind.Utc), afterActivity, afterId);
        return true;
    }
}
