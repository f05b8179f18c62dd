using System.Security.Cryptography;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.ServiceDefaults.Storage;

namespace CinematicSwitch.Skills.Samples;

/// <summary>
/// The campaign's style image, put where a campaign's assets are before a skill runs: in the inputs bucket, under the
/// tenant's prefix, the only place the processor takes a tenant's media from. (A skill is handed such a reference; it never uploads.)
/// </summary>
public static class CampaignAssets
{
    public static string StyleImagePath => Path.Combine(AppContext.BaseDirectory, "assets", "campaign-style.png");

    public static async Task<MediaReference> PutStyleImageAsync(ObjectStore store, string keyPrefix, string tenant, string campaign, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(StyleImagePath, cancellationToken);
        var format = MediaFormats.Detect(bytes) ?? throw new InvalidDataException($"{StyleImagePath} is not an image the pipeline takes.");
        await using var content = new MemoryStream(bytes);
        var location = await store.PutAsync(store.Options.InputsBucket, $"{tenant}/{keyPrefix}campaigns/{campaign}/style.png", content, format.ContentType, null,
            cancellationToken);
        return new MediaReference(location.Uri, format.ContentType, format.Kind, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
