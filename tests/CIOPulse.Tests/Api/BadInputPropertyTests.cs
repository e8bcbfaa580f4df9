using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CIOPulse.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// Property: whatever is sent to any endpoint of the API — random JSON shapes and types, huge
/// strings, 10,000-deep nesting, text that is not UTF-8, duplicate and unknown members, wrong or
/// missing content types, odd and overlong path ids, odd query values — the answer is 2xx or a 4xx
/// problem detail (<c>application/problem+json</c>) with a non-empty <c>detail</c> that names the
/// field when <c>errors</c> does; never a 5xx. After each run, a valid completion posted to the
/// account that took the barrage is still delivered to its loopback receiver.
/// </summary>
/// <remarks>
/// FsCheck generates and runs the cases; each property runs inside <see cref="Task.Run(Func{Task})"/>
/// (FsCheck waits on each case's task, which must not need xunit's synchronization context), and
/// the delivery check follows it in the same test, which a bare <c>[Property]</c> could not do.
/// PostgreSQL mode adds what only it has: cursors whose snapshot the database must refuse, and
/// accepted completions written through the group commit.
/// </remarks>
public abstract class BadInputPropertyTests(SiloAppFixture fixture, ITestOutputHelper output)
{
    private const int BodyCases = 200;
    private const int PathCases = 150;
    private const int QueryCases = 150;
    private const string SystemKey = SiloApp.SystemKey;

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Pieces random text is made of: plain, control, quoting, markup and non-ASCII (combining, RTL override, zero-width, BOM, emoji, CJK).</summary>
    private static readonly string[] TextAtoms =
    [
        "a", "Z", "0", "9", " ", "-", "_", ".", "/", "\\", "\"", "'", "\n", "\r\n", "\t", "\0", "\u001f", "\u007f", "<script>", "%", "%00", "&", "=",
        "{", "}", "[", "]", ",", ":", "é", "ā", "e\u0301", "\u202e", "\u200b", "\uFEFF", "😀", "中文", "Ω", "\U0001F3F3\uFE0F\u200D\U0001F308",
        "Responsiveness", "Corporate", "Standard", "Transactional", "null", "true", "1e400",
    ];

    /// <summary>Byte sequences that are not UTF-8 and escapes that are not UTF-16 text, as they would stand inside a JSON string.</summary>
    private static readonly string[] NotText = ["ff", "c328", "c0af", "e080af", "eda080", "edbfbf", "e282", "f09f98", "80", "f4908080", "f888808080", @"\ud800", @"\udc00", @"\ud800\u0041"];

    private static readonly string[] JsonNumbers = ["0", "-0", "1", "-1", "9", "10", "11", "9.5", "1e2", "1E400", "-1e-400", "123456789012345678901234567890", "0.0000001", "2147483648"];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/problem+json", "application/json; charset=utf-16", "text/plain",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "*/*", "application/jsonx", "a/b/c;;;=", "application/json; charset=\"",
    ];

    private static readonly string[] CompletionFields =
    [
        "Listening_Post", "Response_ID", "Response_Datetime_UTC", "Ticket_ID", "Support_Group_Code", "Support_Group_Name", "Agent_ID", "Segment_Code",
        "Segment_Name", "Segment_2_Code", "Segment_2_Name", "Customer", "Overall", "Selected_Factors", "Comments", "Survey_Description", "Survey_Language",
    ];

    private readonly ConcurrentDictionary<string, int> _answers = new(StringComparer.Ordinal);

    private enum Credential
    {
        Proper,
        None,
        Unissued,
        OtherKind,
    }

    [Fact]
    public async Task Any_body_to_any_endpoint_gets_2xx_or_a_problem_with_a_detail_and_delivery_goes_on()
    {
        var victim = await PrepareVictimAsync();
        var property = Prop.ForAll(Arb.From(BodyProbes(victim)), probe => SendAndCheckAsync(victim, probe));

        await RunAsync(property, BodyCases);

        await AssertDeliveryGoesOnAsync(victim);
    }

    [Fact]
    public async Task Any_path_id_gets_2xx_or_a_problem_with_a_detail_and_delivery_goes_on()
    {
        var victim = await PrepareVictimAsync();
        var property = Prop.ForAll(Arb.From(PathProbes(victim)), probe => SendAndCheckAsync(victim, probe));

        await RunAsync(property, PathCases);

        await AssertDeliveryGoesOnAsync(victim);
    }

    [Fact]
    public async Task Any_log_query_gets_2xx_or_a_problem_with_a_detail_and_delivery_goes_on()
    {
        var victim = await PrepareVictimAsync();
        var property = Prop.ForAll(Arb.From(QueryProbes(victim)), probe => SendAndCheckAsync(victim, probe));

        await RunAsync(property, QueryCases);

        await AssertDeliveryGoesOnAsync(victim);
    }

    /// <summary>One request: the endpoint it is meant for, and what is odd about it.</summary>
    private sealed record Probe(string Endpoint, string Method, string Path, Credential Key, byte[]? Body, string? ContentType, string Kind)
    {
        /// <summary>A NUL in the path is refused by the server (Kestrel) itself, before the API runs, with a bare 400.</summary>
        public bool RefusedByServer => Path.Split('?', '#')[0].Contains("%00", StringComparison.OrdinalIgnoreCase);

        public override string ToString() =>
            $"{Endpoint} [{Kind}]: {Method} {Shorten(Path)} key={Key} content-type={ContentType ?? "(none)"} body={(Body is null ? "(none)" : Shorten(Encoding.UTF8.GetString(Body)))} ({Body?.Length ?? 0} bytes)";

        private static string Shorten(string text) => text.Length <= 300 ? text : $"{text[..300]}… ({text.Length} characters)";
    }

    /// <summary>The account under attack: its id, key and receiver path, one delivered webhook and a real cursor (two webhooks, pages of one).</summary>
    private sealed record Victim(ApiTestAccount Account, string ReceiverUrl, string Cursor);

    private async Task<Victim> PrepareVictimAsync()
    {
        var account = await fixture.CreateWebhookAccountAsync();
        await fixture.App.PostAcceptedCompletionAsync(account.Id, Completion(NewResponseId()));
        using var client = fixture.App.CreateClient(account.Key);
        var page = await client.GetJsonAsync(LogPath(account.Id, "limit=1"));
        var cursor = page.GetProperty("nextCursor").GetString();
        Assert.False(string.IsNullOrEmpty(cursor), "A page of one of two webhooks has a next cursor.");
        return new Victim(account, fixture.Receiver.UrlFor(account.ReceiverPath), cursor!);
    }

    private async Task RunAsync(Property property, int cases)
    {
        try
        {
            await Task.Run(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(cases).WithQuietOnSuccess(true), property));
        }
        finally
        {
            foreach (var (answer, count) in _answers.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                output.WriteLine($"{count,4} × {answer}");
            }
        }
    }

    private async Task SendAndCheckAsync(Victim victim, Probe probe)
    {
        using var client = fixture.App.CreateClient(probe.Key switch
        {
            Credential.None => null,
            Credential.Unissued => UnissuedKeyFor(victim.Account.Id),
            Credential.OtherKind => IsSystemRoute(probe.Endpoint) ? victim.Account.Key : SystemKey,
            _ => IsSystemRoute(probe.Endpoint) ? SystemKey : victim.Account.Key,
        });
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Path);
        if (probe.Body is not null)
        {
            request.Content = new ByteArrayContent(probe.Body);
            if (probe.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
            }
        }

        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        _answers.AddOrUpdate($"{probe.Endpoint} [{probe.Kind}] → {status}", 1, (_, n) => n + 1);

        Require(status is (>= 200 and < 300) or (>= 400 and < 500), () => $"{status} for {probe}: {text}");
        if (status >= 400)
        {
            if (probe.RefusedByServer)
            {
                Require(status == 400 && text.Length == 0, () => $"Expected the server's bare 400 for {probe}, got {status}: {text}");
                return;
            }

            AssertProblemWithDetail(response, status, text, probe);
        }
    }

    private static void AssertProblemWithDetail(HttpResponseMessage response, int status, string text, Probe probe)
    {
        Require(response.Content.Headers.ContentType?.MediaType == ProblemJson, () => $"{status} without problem details for {probe}: {response.Content.Headers.ContentType} {text}");
        using var problem = JsonDocument.Parse(text);
        var root = problem.RootElement;
        Require(root.TryGetProperty("status", out var statusMember) && statusMember.GetInt32() == status, () => $"The problem's status is not {status} for {probe}: {text}");
        Require(root.TryGetProperty("detail", out var detailMember) && detailMember.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(detailMember.GetString()),
            () => $"The problem has no detail for {probe}: {text}");
        if (root.TryGetProperty("errors", out var errors))
        {
            var detail = detailMember.GetString()!;
            Require(errors.ValueKind == JsonValueKind.Object && errors.EnumerateObject().Any(field => detail.Contains(field.Name, StringComparison.Ordinal)),
                () => $"The detail names none of the fields in errors for {probe}: {text}");
        }
    }

    /// <summary>Fails with the message, made only when it is needed (a probe's body can be a megabyte).</summary>
    private static void Require(bool condition, Func<string> message)
    {
        if (!condition)
        {
            Assert.Fail(message());
        }
    }

    /// <summary>The account took the barrage; put it back as a valid caller would, and a valid completion is delivered to a fresh receiver path.</summary>
    private async Task AssertDeliveryGoesOnAsync(Victim victim)
    {
        var accountId = victim.Account.Id;
        using (var client = fixture.App.CreateClient())
        {
            using var account = await client.PutAccountAsync(accountId, new JsonObject { ["name"] = "After the barrage", ["plan"] = "Corporate" });
            await AssertStatusAsync(account, HttpStatusCode.OK);
        }

        var path = ReceiverPathFor(accountId, "after-" + Guid.NewGuid().ToString("N")[..8]);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
        var responseId = NewResponseId();

        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(responseId));

        var received = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline));
        Assert.Equal(webhookId, received.WebhookId);
        using var payload = JsonDocument.Parse(received.Body);
        Assert.Equal(responseId, payload.RootElement.GetProperty("Response_ID").GetString());
        using var keyed = fixture.App.CreateClient(victim.Account.Key);
        await keyed.WaitForStatusAsync(accountId, webhookId, "Succeeded");
    }

    private static bool IsSystemRoute(string endpoint) => endpoint is "account PUT" or "keys POST" or "keys DELETE" or "completions POST";

    // ---- the endpoints -------------------------------------------------------------------------

    private sealed record Endpoint(string Name, string Method, Func<string, string, string> Path, Func<Victim, string, string>? ValidBody);

    private static readonly Endpoint[] Endpoints =
    [
        new("account PUT", "PUT", (a, _) => AccountPath(a), (_, _) => """{"name":"Victim","plan":"Corporate"}"""),
        new("keys POST", "POST", (a, _) => KeysPath(a), null),
        new("keys DELETE", "DELETE", (a, _) => KeysPath(a), null),
        new("settings GET", "GET", (a, _) => SettingsPath(a), null),
        new("settings PUT", "PUT", (a, _) => SettingsPath(a), (v, _) => $$"""{"enabled":true,"url":{{Quote(v.ReceiverUrl)}},"username":"u","password":"p","serviceNowWrapper":false}"""),
        new("completions POST", "POST", (a, _) => CompletionsPath(a), (_, responseId) => Completion(responseId).ToJsonString()),
        new("log list GET", "GET", (a, _) => LogPath(a), null),
        new("log detail GET", "GET", EntryPath, null),
        new("log resend POST", "POST", ResendPath, null),
    ];

    private static readonly Endpoint[] BodyEndpoints = [.. Endpoints.Where(e => e.ValidBody is not null)];

    // ---- generators ----------------------------------------------------------------------------

    private static Gen<Credential> Credentials =>
        Gen.Frequency((24, Gen.Constant(Credential.Proper)), (1, Gen.Constant(Credential.None)), (1, Gen.Constant(Credential.Unissued)), (1, Gen.Constant(Credential.OtherKind)));

    private static Gen<string> Text(int maxAtoms) =>
        from count in Gen.Choose(0, maxAtoms)
        from atoms in Gen.Elements(TextAtoms).ArrayOf(count)
        select string.Concat(atoms);

    private static string Quote(string text) => JsonSerializer.Serialize(text, RelaxedJson);

    /// <summary>Any JSON value, of depth at most <paramref name="depth"/>, as text.</summary>
    private static Gen<string> AnyJson(int depth)
    {
        var scalar = Gen.OneOf(
            Gen.Elements("null", "true", "false"),
            Gen.Elements(JsonNumbers),
            Text(8).Select(Quote));
        if (depth == 0)
        {
            return scalar;
        }

        var member = from name in MemberNames from value in AnyJson(depth - 1) select Quote(name) + ":" + value;
        return Gen.Frequency(
            (4, scalar),
            (1, from count in Gen.Choose(0, 4) from items in AnyJson(depth - 1).ArrayOf(count) select "[" + string.Join(',', items) + "]"),
            (1, from count in Gen.Choose(0, 4) from members in member.ArrayOf(count) select "{" + string.Join(',', members) + "}"));
    }

    private static Gen<string> MemberNames => Gen.OneOf(
        Gen.Elements(CompletionFields),
        Gen.Elements("name", "plan", "enabled", "url", "username", "password", "serviceNowWrapper", "", "response_id", "RESPONSE_ID", "Overall ", "$type", "$id", "__proto__"),
        Text(4));

    /// <summary>A body for an endpoint: a valid one with one thing wrong, or anything else at all.</summary>
    private static Gen<(string Kind, byte[] Body)> Bodies(Endpoint endpoint, Victim victim)
    {
        var valid = Gen.Fresh(() => endpoint.ValidBody!(victim, NewResponseId()));
        var validObject = valid.Select(text => JsonNode.Parse(text)!.AsObject());
        var fieldName = validObject.SelectMany(o => Gen.Elements(o.Select(m => m.Key).ToArray()));
        var stringField = validObject.SelectMany(o => Gen.Elements(o.Where(m => m.Value?.GetValueKind() == JsonValueKind.String).Select(m => m.Key).ToArray()));

        Gen<(string, byte[])> Case(string kind, Gen<string> text) => text.Select(t => (kind, Encoding.UTF8.GetBytes(t)));

        return Gen.Frequency(
            (2, Case("valid", valid)),
            (3, Case("any JSON value", AnyJson(3))),
            (5, Case("a member of another type", from body in valid from name in fieldName from value in AnyJson(2) select Replace(body, name, value))),
            (2, Case("a member left out", from body in valid from name in fieldName select Without(body, name))),
            (2, Case("unknown members", from body in valid from name in Text(3) from value in AnyJson(2) select Append(body, Quote("x-" + name) + ":" + value))),
            (3, Case("a duplicate member", from body in valid from name in fieldName from value in AnyJson(1) select Append(body, Quote(name) + ":" + value))),
            (4, from body in valid
                from name in stringField
                from bad in Gen.Elements(NotText)
                from inName in Gen.Elements(false, false, true)
                select (inName ? "not text in a member name" : "not text in a value", NotTextIn(body, name, bad, inName))),
            (1, Case("a 900 KB string", from body in valid from name in stringField select Replace(body, name, Quote(new string('x', 900 * 1024))))),
            (1, Case("an 1.1 MiB string", from body in valid from name in stringField select Replace(body, name, Quote(new string('x', 1100 * 1024))))),
            (1, Case("10,000-deep arrays", from body in valid from name in fieldName select Replace(body, name, new string('[', 10_000) + new string(']', 10_000)))),
            (1, Case("10,000-deep objects", Gen.Constant(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)))),
            (1, Case("10,000 unclosed arrays", Gen.Constant(new string('[', 10_000)))),
            (1, Case("truncated", from body in valid from cut in Gen.Choose(0, 40) select body[..Math.Min(cut, body.Length)])),
            (1, Case("empty", Gen.Constant(""))),
            (1, from bytes in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf() select ("random bytes", bytes)),
            (1, from body in valid select ("after a byte order mark", (byte[])[0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(body)])));
    }

    private static Gen<Probe> BodyProbes(Victim victim) =>
        from endpoint in Gen.Frequency((6, Gen.Elements(BodyEndpoints)), (1, Gen.Elements(Endpoints)))
        from body in Bodies(endpoint.ValidBody is null ? BodyEndpoints[0] : endpoint, victim)
        from contentType in Gen.Frequency((8, Gen.Constant<string?>("application/json")), (1, Gen.Constant<string?>(null)), (2, Gen.Elements(ContentTypes).Select(c => (string?)c)))
        from key in Credentials
        select new Probe(endpoint.Name, endpoint.Method, endpoint.Path(victim.Account.Id, victim.Account.WebhookId), key, body.Body, contentType, body.Kind);

    /// <summary>Path segments: percent-encoded NUL, dot segments, bytes that are not UTF-8, separators, non-ASCII, wrong case, over-long (10 KB) and empty.</summary>
    private static Gen<(string Kind, string Segment)> OddSegments(string valid, string wrongCase) => Gen.Frequency(
        (3, Gen.Elements("%00", "a%00b", "..", "%2e%2e", ".", "%2E", "%2F", "a%2Fb", "%FF", "%ED%A0%80", "%C0%AF", "%20", "+", "%25", "~", "a;b", "a?b", "a#b", "%", "%zz", "").Select(s => ("odd", s))),
        (1, Gen.Constant(("wrong case", wrongCase))),
        (1, Gen.Constant(("one too long", valid + "0"))),
        (1, Gen.Elements("é", "😀", "\u202e", "中文", "Ω").Select(s => ("non-ASCII", s))),
        (1, Gen.Elements(10_000, 30_000).Select(n => ("10 KB+", new string('a', n)))),
        (1, Gen.Constant(("10 KB of non-ASCII", Uri.EscapeDataString(string.Concat(Enumerable.Repeat("é😀", 1_700)))))),
        (2, Text(6).Select(t => ("random text", Uri.EscapeDataString(t)))));

    private static Gen<Probe> PathProbes(Victim victim)
    {
        var accountId = victim.Account.Id;
        var webhookId = victim.Account.WebhookId;
        return from endpoint in Gen.Elements(Endpoints)
               from oddAccount in Gen.Elements(true, true, false)
               from account in oddAccount ? OddSegments(accountId, accountId.ToUpperInvariant()) : Gen.Constant(("", accountId))
               from webhook in oddAccount ? Gen.Constant(("", webhookId)) : OddSegments(webhookId, webhookId.ToUpperInvariant())
               from key in Credentials
               let body = endpoint.ValidBody?.Invoke(victim, NewResponseId())
               select new Probe(endpoint.Name, endpoint.Method, endpoint.Path(account.Item2, webhook.Item2), key,
                   body is null ? null : Encoding.UTF8.GetBytes(body), body is null ? null : "application/json",
                   oddAccount ? "account id: " + account.Item1 : "webhook id: " + webhook.Item1);
    }

    private static Gen<string> QueryValues(Victim victim) => Gen.OneOf(
        Gen.Elements("0", "1", "50", "500", "501", "-1", "+5", " 5", "5 ", "1e3", "0x10", "٣", "99999999999999999999", "2.5", ""),
        Gen.Elements("InProgress", "inprogress", "Succeeded", "Failed", "Failed,Succeeded", "Transactional", "relationship", "Relationship,Transactional", "1", "-1"),
        Gen.Elements(victim.Cursor, victim.Account.WebhookId, victim.Account.WebhookId.ToUpperInvariant()),
        Gen.Choose(0, victim.Cursor.Length - 1).Select(i => victim.Cursor.Remove(i, 1)),
        Gen.Choose(0, victim.Cursor.Length - 1).Select(i => victim.Cursor[..i] + (victim.Cursor[i] == 'A' ? 'B' : 'A') + victim.Cursor[(i + 1)..]),
        Gen.Constant(victim.Cursor + victim.Cursor),
        Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().Select(bytes => Base64Url.EncodeToString(bytes)),
        CraftedCursors,
        Gen.Elements(128, 129, 10_000).Select(n => new string('r', n)),
        Text(8));

    /// <summary>Cursors of this service's shape (<c>1|snapshot|ticks|ticks|id</c>, base64url) with odd parts: far past and future times, snapshots PostgreSQL would refuse.</summary>
    private static Gen<string> CraftedCursors =>
        from snapshot in Gen.Elements("1", "1:2:", "9:1:", "1:2:3,4", "0", "", "abc", "1:1:1,1,1")
        from snapshotTicks in Gen.Elements("0", DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture), DateTime.MaxValue.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture), "-1", "99999999999999999999")
        from afterTicks in Gen.Elements("", "0", DateTime.MaxValue.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture), "x")
        from afterId in Gen.Elements("", "0123456789abc", "'; drop table webhook_log; --", "\0")
        select Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"1|{snapshot}|{snapshotTicks}|{afterTicks}|{afterId}"));

    private static Gen<Probe> QueryProbes(Victim victim)
    {
        var parameter = from name in Gen.Frequency((6, Gen.Elements("limit", "cursor", "status", "listeningPost", "search")), (1, Gen.Elements("Limit", "x", "", "limit[]")))
                        from value in QueryValues(victim)
                        from escaped in Gen.Elements(true, true, false)
                        select name + "=" + (escaped ? Uri.EscapeDataString(value) : value);
        var rawJunk = Gen.Elements("%", "%%", "%zz", "%FF", "%ED%A0%80", "%00", "&", "=", "==", "&&limit", "limit", "search=%00", "search=%FF");
        return from endpoint in Gen.Frequency((6, Gen.Constant(Endpoints.Single(e => e.Name == "log list GET"))), (1, Gen.Elements(Endpoints.Where(e => e.Method == "GET").ToArray())))
               from count in Gen.Choose(1, 4)
               from parameters in Gen.Frequency((5, parameter), (1, rawJunk)).ArrayOf(count)
               from key in Credentials
               select new Probe(endpoint.Name, endpoint.Method, endpoint.Path(victim.Account.Id, victim.Account.WebhookId) + "?" + string.Join('&', parameters), key, null, null, "query");
    }

    // ---- JSON text surgery (on text the generators made, so it is valid JSON before the change) ----

    private static string Replace(string body, string name, string valueJson)
    {
        var members = Members(body);
        return "{" + string.Join(',', members.Select(m => m.Name == name ? Quote(m.Name) + ":" + valueJson : Quote(m.Name) + ":" + m.Value)) + "}";
    }

    private static string Without(string body, string name) =>
        "{" + string.Join(',', Members(body).Where(m => m.Name != name).Select(m => Quote(m.Name) + ":" + m.Value)) + "}";

    private static string Append(string body, string memberJson)
    {
        var members = Members(body).Select(m => Quote(m.Name) + ":" + m.Value).Append(memberJson);
        return "{" + string.Join(',', members) + "}";
    }

    /// <summary>The body with <paramref name="bad"/> (hex bytes, or a literal escape) put inside the value or the name of member <paramref name="name"/>.</summary>
    private static byte[] NotTextIn(string body, string name, string bad, bool inName)
    {
        var inserted = bad.StartsWith('\\') ? Encoding.ASCII.GetBytes(bad) : Convert.FromHexString(bad);
        var marker = "\u0001MARK\u0001";
        var members = Members(body).Select(m => m.Name != name
            ? Quote(m.Name) + ":" + m.Value
            : inName ? Quote(m.Name + marker) + ":" + m.Value : Quote(name) + ":" + Quote("v" + marker));
        var text = Encoding.UTF8.GetBytes("{" + string.Join(',', members) + "}");
        var markerBytes = Encoding.UTF8.GetBytes(Quote(marker)[1..^1]);
        var at = text.AsSpan().IndexOf(markerBytes);
        return [.. text[..at], .. inserted, .. text[(at + markerBytes.Length)..]];
    }

    private static IReadOnlyList<(string Name, string Value)> Members(string body) =>
        [.. JsonNode.Parse(body)!.AsObject().Select(m => (m.Key, m.Value?.ToJsonString(RelaxedJson) ?? "null"))];
}

[Collection(SiloAppCollection.Memory)]
public sealed class BadInputPropertyTestsInMemory(MemorySiloAppFixture fixture, ITestOutputHelper output) : BadInputPropertyTests(fixture, output);

[Collection(SiloAppCollection.Postgres)]
public sealed class BadInputPropertyTestsOnPostgres(PostgresSiloAppFixture fixture, ITestOutputHelper output) : BadInputPropertyTests(fixture, output);
