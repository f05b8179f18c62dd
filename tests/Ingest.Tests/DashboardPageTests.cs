using System.Net;
using System.Text.RegularExpressions;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.Providers.Planning;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>/dashboard/cinematic-switch as served: its files from the assembly, its policy, and the settings its checks use.</summary>
[Trait("Category", "Stack")]
public sealed partial class DashboardPageTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private const string Page = "/dashboard/cinematic-switch";

    [Fact]
    public async Task The_page_needs_no_key_and_allows_nothing_but_its_origin_and_the_archive()
    {
        using var client = fixture.Host.Client();

        using var response = await client.GetAsync(Page);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        var archive = new Uri(fixture.Stack.S3.Options.ServiceUrl!).GetLeftPart(UriPartial.Authority);
        Assert.StartsWith("default-src 'self'; ", policy, StringComparison.Ordinal);
        Assert.Contains($"img-src 'self' blob: {archive};", policy, StringComparison.Ordinal);
        Assert.Contains($"media-src 'self' blob: {archive};", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Every_file_the_page_refers_to_is_served_from_this_origin_and_revalidated()
    {
        using var client = fixture.Host.Client();
        var html = await client.GetStringAsync(Page);
        var references = Reference().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.Equal([$"{Page}/icon.svg", $"{Page}/app.css", $"{Page}/app.js"], references);

        foreach (var (path, type) in references.Zip(["image/svg+xml", "text/css", "text/javascript"]))
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.True(response.Headers.CacheControl?.NoCache);
            // Nothing is loaded from elsewhere (no CDN, no fonts): no absolute URL but the SVG namespace's name.
            Assert.DoesNotMatch("(?<!xmlns=\")https?://", await response.Content.ReadAsStringAsync());

            using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
            conditional.Headers.IfNoneMatch.Add(response.Headers.ETag!);
            using var notModified = await client.SendAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        foreach (var missing in new[] { $"{Page}/index.html", $"{Page}/Program.cs", $"{Page}/app.js.map" })
        {
            using var response = await client.GetAsync(missing);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_settings_are_the_apis_own_presets_limits_and_messages()
    {
        using var client = fixture.Host.Client();

        using var response = await client.GetAsync($"{Page}/settings.json");
        var settings = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(StylePresets.Names, settings.GetProperty("style_presets").EnumerateArray().Select(p => p.GetString()));
        // What flux-dev (the input cropped to the ratio) and aleph2 (kept, or expanded to the ratio) accept, of the page's candidates.
        Assert.Equal(["original", "16:9", "1:1", "9:16", "4:3", "3:4", "3:2", "2:3", "5:4", "4:5", "21:9"],
            settings.GetProperty("image_aspect_ratios").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["original", "16:9", "1:1", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9"],
            settings.GetProperty("video_aspect_ratios").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal((1, 5, 10, 2000), (settings.GetProperty("min_output_count").GetInt32(), settings.GetProperty("max_output_count").GetInt32(),
            settings.GetProperty("min_description_length").GetInt32(), settings.GetProperty("max_description_length").GetInt32()));
        Assert.Equal((MediaFormats.MaxImageBytes, MediaFormats.MaxVideoBytes),
            (settings.GetProperty("max_image_bytes").GetInt64(), settings.GetProperty("max_video_bytes").GetInt64()));
        var brands = settings.GetProperty("video_brands").EnumerateArray().Select(b => b.GetString()!).ToList();
        Assert.All(brands, b => Assert.NotNull(MediaFormats.Detect(TestMedia.Iso(b, 16).ToArray())));
        Assert.Contains("qt  ", brands);
        Assert.Contains("isom", brands);

        var messages = settings.GetProperty("messages");
        Assert.Equal(UserMessages.MissingField("media"), messages.GetProperty("missing_media").GetString());
        Assert.Equal(UserMessages.MediaUpload, messages.GetProperty("media_upload").GetString());
        Assert.Equal(UserMessages.UnsupportedFormat, messages.GetProperty("unsupported_format").GetString());
        Assert.Equal(UserMessages.MissingField("scene_description"), messages.GetProperty("missing_description").GetString());
        Assert.Equal(UserMessages.TextValidation, messages.GetProperty("text_validation").GetString());
    }

    [GeneratedRegex("(?:href|src)=\"(?<url>[^\"#]+)\"")]
    private static partial Regex Reference();
}
