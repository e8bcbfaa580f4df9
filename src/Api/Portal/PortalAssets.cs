using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace CIOPulse.Api.Portal;

/// <summary>
/// The portal's stylesheet and script, embedded in this assembly (the silo and the gateway serve the
/// same bytes, with nothing to deploy beside them), at <c>/portal/assets/{name}?v={hash}</c>: a
/// versioned URL is cached for a year, since a new build changes the hash.
/// </summary>
public static class PortalAssets
{
    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    /// <summary>The versioned URL of an asset, for the layout.</summary>
    public static string Url(string name) => $"{PortalPaths.Assets}/{name}?v={Assets[name].Version}";

    public static IEndpointConventionBuilder MapPortalAssets(this IEndpointRouteBuilder app) =>
        app.MapGet(PortalPaths.Assets + "/{name}", Serve).ExcludeFromDescription();

    private static IResult Serve(string name, string? v, HttpContext context)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return TypedResults.NotFound();
        }

        var headers = context.Response.GetTypedHeaders();
        headers.ETag = asset.ETag;
        headers.CacheControl = v == asset.Version
            ? new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new NameValueHeaderValue("immutable") } }
            : new CacheControlHeaderValue { NoCache = true };
        if (context.Request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Compare(asset.ETag, useStrongComparison: false)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(PortalAssets).Assembly;
        const string Prefix = "CIOPulse.Api.Portal.Assets.";
        return assembly.GetManifestResourceNames()
            .Where(resource => resource.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(resource =>
            {
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                var content = buffer.ToArray();
                var name = resource[Prefix.Length..];
                var version = Convert.ToHexStringLower(SHA256.HashData(content))[..12];
                var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
                return new Asset(name, content, type, version, new EntityTagHeaderValue($"\"{version}\""));
            })
            .ToFrozenDictionary(asset => asset.Name, StringComparer.Ordinal);
    }

    private sealed record Asset(string Name, byte[] Content, string ContentType, string Version, EntityTagHeaderValue ETag);
}
