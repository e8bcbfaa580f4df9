using System.Net;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// Every account id is its own account, including ids that read as the same number or GUID in
/// another spelling (<c>cafe1</c>, <c>0cafe1</c>, <c>00cafe1</c>; a GUID with and without dashes).
/// Orleans' ADO.NET grain storage kept such ids in one row, so one account's settings answered for
/// the other.
/// </summary>
public abstract class AccountIdentityTests(SiloAppFixture fixture)
{
    public static TheoryData<string> Spellings() => ["hex", "guid"];

    [Theory]
    [MemberData(nameof(Spellings))]
    public async Task Ids_that_spell_the_same_number_are_separate_accounts(string kind)
    {
        var number = Guid.NewGuid().ToString("N");
        string[] ids = kind == "hex"
            ? [number[..10].TrimStart('0') + "a", "0" + number[..10].TrimStart('0') + "a", "00" + number[..10].TrimStart('0') + "a"]
            : [number, Guid.ParseExact(number, "N").ToString("D")];
        using var client = fixture.App.CreateClient();

        await fixture.App.CreateAccountAsync("Corporate", ids[0]);
        foreach (var other in ids[1..])
        {
            using var missing = await client.GetAsync(SettingsPath(other));
            await AssertProblemAsync(missing, HttpStatusCode.NotFound);
        }

        foreach (var id in ids[1..])
        {
            await fixture.App.CreateAccountAsync("Corporate", id);
        }

        foreach (var id in ids)
        {
            using var saved = await client.PutSettingsAsync(id, Settings($"http://127.0.0.1:9/{id}", username: "user-" + id));
            await AssertStatusAsync(saved, HttpStatusCode.OK);
        }

        foreach (var id in ids)
        {
            var settings = await client.GetJsonAsync(SettingsPath(id));
            Assert.Equal($"http://127.0.0.1:9/{id}", settings.Text("url"));
            Assert.Equal("user-" + id, settings.Text("username"));
        }
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class AccountIdentityTestsInMemory(MemorySiloAppFixture fixture) : AccountIdentityTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class AccountIdentityTestsOnPostgres(PostgresSiloAppFixture fixture) : AccountIdentityTests(fixture);
