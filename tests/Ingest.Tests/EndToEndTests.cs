using System.Net;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Streaming.Clients;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>An upload, all the way: HTTP in, the object in S3, the event on the topic decoded through the registry.</summary>
[Trait("Category", "Stack")]
public sealed class EndToEndTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    [Fact]
    public async Task Multipart_upload_publishes_an_event_keyed_by_tenant_that_refers_to_the_byte_exact_object()
    {
        var media = TestMedia.Jpeg(300_000);
        var original = media.ToArray();
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var form = Forms.Multipart(new ByteArrayContent(original), "holiday.png",
            ("scene_description", "  " + Forms.ValidDescription + "  "), ("style_preset", "Medieval"), ("output_count", "3"), ("aspect_ratio", "16:9"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic") { Content = form };
        request.Headers.Add("X-Correlation-Id", "corr-e2e-1");

        using var response = await client.SendAsync(request);
        var body = await response.ExpectAsync(HttpStatusCode.Accepted);

        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("pending", body.GetProperty("status").GetString());
        var id = body.RequestId();
        Assert.Equal($"/requests/{id}", body.GetProperty("status_url").GetString());
        Assert.Equal($"/requests/{id}", response.Headers.Location?.ToString());
        Assert.Equal("corr-e2e-1", response.Headers.GetValues("X-Correlation-Id").Single());

        var record = Assert.Single(await fixture.RequestedAsync(1), r => r.Message.Value.RequestId == id);
        var e = record.Message.Value;
        Assert.Equal("acme", record.Message.Key);
        Assert.Equal(id, e.RequestId);
        Assert.Equal("acme", e.TenantId);
        Assert.Equal("corr-e2e-1", e.CorrelationId);
        Assert.Equal("http:ingest", e.Requester);
        Assert.Equal(TransformationTask.ImageTransform, e.Task);
        Assert.Equal(Forms.ValidDescription, e.SceneDescription);
        Assert.Equal("medieval", e.StylePreset);
        Assert.Equal(3, e.OutputCount);
        Assert.Equal("16:9", e.AspectRatio);
        Assert.Null(e.Prompt);
        Assert.Null(e.Video);

        // The partition is the Java client's murmur2 of the key, whoever produced it.
        Assert.Equal(Murmur2.Partition("acme"u8, 4), record.Partition.Value);

        // Detected from the content (JPEG), not from the file name (.png).
        var reference = Assert.IsType<MediaReference>(e.Media);
        Assert.Equal("image/jpeg", reference.ContentType);
        Assert.Equal(MediaKind.Image, reference.Kind);
        Assert.Equal(original.Length, reference.SizeBytes);
        Assert.Equal(media.Sha256(), reference.Sha256);
        var location = S3ObjectRef.Parse(reference.Uri);
        Assert.Equal(fixture.Store.Options.InputsBucket, location.Bucket);
        Assert.Equal($"acme/{id}/input.jpg", location.Key);
        Assert.Equal(original, await fixture.ReadObjectAsync(reference.Uri));
    }

    [Fact]
    public async Task A_video_larger_than_one_part_is_stored_by_multipart_upload_byte_exact()
    {
        // Three 8 MiB parts and a remainder: the multipart path, against s3rver as against S3.
        var media = TestMedia.Mp4(3 * 8 * 1024 * 1024 + 12345);
        using var client = fixture.Host.Client(TestTenants.Globex);
        using var form = Forms.Multipart(media.ToContent("video/mp4"), "clip.mp4", ("scene_description", Forms.ValidDescription));

        using var response = await client.PostAsync("/generate/cinematic", form);
        var id = (await response.ExpectAsync(HttpStatusCode.Accepted)).RequestId();

        var e = Assert.Single((await fixture.RequestedAsync(1)).Select(r => r.Message.Value), r => r.RequestId == id);
        Assert.Equal(TransformationTask.VideoToVideo, e.Task);
        Assert.Equal("video/mp4", e.Media!.ContentType);
        Assert.Equal(media.Length, e.Media.SizeBytes);
        Assert.Equal(media.Sha256(), e.Media.Sha256);
        Assert.Equal((media.Length, media.Sha256()), await fixture.HashObjectAsync(e.Media.Uri));
    }
}
