using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CIOPulse.Api.Json;

namespace CIOPulse.Tests.Unit;

/// <summary>
/// <see cref="StrictJson"/>: text that does not decode and members given twice are found wherever
/// they are, named by their path, first fault in document order; everything else passes.
/// In the cases, <c>&lt;ff&gt;</c> stands for the raw byte 0xFF.
/// </summary>
public sealed partial class StrictJsonTests
{
    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"a":"x","b":[1,"y",{"c":"é😀"}],"d":null,"e":true,"f":1.5}""")]
    [InlineData("""{"a":"\u00e9\ud83d\ude00\n\"\\"}""")]
    [InlineData("""{"a":1,"A":2,"a ":3}""")]
    [InlineData("""{"a":{"b":1},"c":{"b":1}}""")]
    [InlineData("""{"a":[{"k":1},{"k":1}]}""")]
    [InlineData("""{"é":"<c3><a9>","<f0><9f><98><80>":"<f4><8f><bf><bf>"}""")]
    public void Text_that_decodes_and_members_given_once_pass(string json)
    {
        Assert.Null(FindFault(json));
    }

    [Theory]
    [InlineData("""{"a":"<ff>"}""", "a")]
    [InlineData("""{"a":"x<c3>(y"}""", "a")]
    [InlineData("""{"a":"<c0><af>"}""", "a")]
    [InlineData("""{"a":"<ed><a0><80>"}""", "a")]
    [InlineData("""{"a":"<e2><82>"}""", "a")]
    [InlineData("""{"a":"<f4><90><80><80>"}""", "a")]
    [InlineData("""{"a":"\ud800"}""", "a")]
    [InlineData("""{"a":"\udc00\ud800"}""", "a")]
    [InlineData("""{"a":"\n<ff>"}""", "a")]
    [InlineData("""{"ok":"x","a":{"b":["ok","<c0><af>"]}}""", "a.b[1]")]
    [InlineData("""{"x":[[1,["\ud800"]]]}""", "x[0][1][0]")]
    public void Text_that_does_not_decode_is_named_by_its_path(string json, string field)
    {
        Assert.Equal((field, StrictJson.NotText), FindFault(json));
    }

    [Theory]
    [InlineData("""{"a<ff>b":1}""", "a\uFFFDb")]
    [InlineData("""{"\ud800":1}""", @"\ud800")]
    [InlineData("""{"a":{"<ed><a0><80>":1}}""", "a.\uFFFD\uFFFD\uFFFD")]
    public void A_member_name_that_does_not_decode_is_named_as_sent(string json, string field)
    {
        Assert.Equal((field, StrictJson.NameNotText), FindFault(json));
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""", "a")]
    [InlineData("""{"a":1,"\u0061":1}""", "a")]
    [InlineData("""{"x":[{"k":1,"k":1}]}""", "x[0].k")]
    [InlineData("""{"a":{"b":{"c":1,"d":2,"c":3}}}""", "a.b.c")]
    public void A_member_given_twice_is_named_by_its_path(string json, string field)
    {
        Assert.Equal((field, StrictJson.Repeated), FindFault(json));
    }

    [Fact]
    public void The_first_fault_in_document_order_is_the_one_named()
    {
        Assert.Equal(("a", StrictJson.NotText), FindFault("""{"a":"<ff>","a":1,"b":"<ff>"}"""));
        Assert.Equal(("a", StrictJson.Repeated), FindFault("""{"a":1,"a":"<ff>"}"""));
    }

    [Fact]
    public void A_long_member_name_is_shortened_in_the_path()
    {
        var name = new string('n', 150);

        var fault = FindFault($$"""{"{{name}}":1,"{{name}}":2}""");

        Assert.Equal((new string('n', 100) + "…", StrictJson.Repeated), fault);
    }

    private static (string Field, string Message)? FindFault(string json)
    {
        using var document = JsonDocument.Parse(Bytes(json));
        return StrictJson.FindFault(document.RootElement);
    }

    /// <summary>The UTF-8 of <paramref name="json"/>, with each <c>&lt;hh&gt;</c> replaced by the raw byte 0xhh.</summary>
    private static byte[] Bytes(string json)
    {
        var bytes = new List<byte>();
        var at = 0;
        foreach (Match match in RawByte().Matches(json))
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(json[at..match.Index]));
            bytes.Add(Convert.ToByte(match.Groups[1].Value, 16));
            at = match.Index + match.Length;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(json[at..]));
        return [.. bytes];
    }

    [GeneratedRegex("<([0-9a-f]{2})>")]
    private static partial Regex RawByte();
}
