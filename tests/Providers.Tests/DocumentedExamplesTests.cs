using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Tests.Support;

namespace CinematicSwitch.Providers.Tests;

/// <summary>
/// The simulators against the providers' own documented requests and responses (Fixtures/), so that a simulator cannot
/// drift into a private dialect: each documented request must be accepted, and each answer must have the documented shape.
/// </summary>
[Trait("Category", "Stack")]
public sealed class DocumentedExamplesTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>, IDisposable
{
    private readonly HttpClient http = new();

    private ProviderSimulators Simulators => fixture.Simulators;

    /// <summary>
    /// Request: the official-model create example, https://replicate.com/docs/topics/predictions/create-a-prediction
    /// (models.predictions.create, "Prefer: wait", Bearer token). Response: the prediction object documented at
    /// https://sdks.replicate.com/resources/predictions/models/prediction (predictions.get).
    /// </summary>
    [Fact]
    public async Task Replicate_accepts_the_documented_create_and_answers_a_documented_prediction()
    {
        Simulators.Reset();
        Simulators.Replicate.Latency = TimeSpan.FromMilliseconds(100);
        var fixtureJson = Shape.Fixture("replicate/create-prediction.json");

        using var create = Post(new Uri(Simulators.Replicate.BaseUrl, "v1/models/black-forest-labs/flux-dev/predictions"), fixtureJson["request"]!,
            Simulators.Replicate.ApiKey);
        create.Headers.Add("Prefer", "wait");
        using var response = await http.SendAsync(create);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var prediction = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Shape.AssertConforms(fixtureJson["response"], prediction, "$", "input", "output");
        Assert.Equal("succeeded", prediction["status"]!.GetValue<string>());
        var get = prediction["urls"]!["get"]!.GetValue<string>();
        Assert.Equal(new Uri(Simulators.Replicate.BaseUrl, $"v1/predictions/{prediction["id"]}").ToString(), get);
        Shape.AssertConforms(fixtureJson["response"], await GetJsonAsync(get, Simulators.Replicate.ApiKey), "$", "input", "output");
    }

    /// <summary>The list example of predictions.list, https://replicate.com/docs/reference/http#predictions.list.</summary>
    [Fact]
    public async Task Replicate_lists_predictions_in_the_documented_shape()
    {
        Simulators.Reset();
        using var create = Post(new Uri(Simulators.Replicate.BaseUrl, "v1/models/black-forest-labs/flux-dev/predictions"),
            new JsonObject { ["input"] = new JsonObject { ["prompt"] = "a listed prediction" } }, Simulators.Replicate.ApiKey);
        (await http.SendAsync(create)).Dispose();
        await Task.Delay(Simulators.Replicate.Latency + TimeSpan.FromMilliseconds(100));

        var list = await GetJsonAsync(new Uri(Simulators.Replicate.BaseUrl, "v1/predictions").ToString(), Simulators.Replicate.ApiKey);

        Shape.AssertConforms(Shape.Fixture("replicate/list-predictions.json"), list, "$", "input", "output");
    }

    /// <summary>
    /// Request: the image-to-video example of Runway's official SDK README, https://github.com/runwayml/sdk-python/blob/main/README.md
    /// (POST /v1/image_to_video); response: ImageToVideoCreateResponse {id},
    /// https://github.com/runwayml/sdk-python/blob/main/src/runwayml/types/image_to_video_create_response.py.
    /// Keyframes: Veo3_1PromptImagePromptImage (position "first"/"last"), ratio, duration 4|6|8 and audio of Veo3_1 in
    /// https://github.com/runwayml/sdk-python/blob/main/src/runwayml/types/image_to_video_create_params.py.
    /// Task: TaskRetrieveResponse, https://github.com/runwayml/sdk-python/blob/main/src/runwayml/types/task_retrieve_response.py,
    /// with the failure codes of https://docs.dev.runwayml.com/errors/task-failures/.
    /// </summary>
    [Theory]
    [InlineData("runway/image-to-video.json", null)]
    [InlineData("runway/image-to-video-keyframes.json", null)]
    [InlineData("runway/image-to-video.json", FaultKind.ContentPolicy)]
    public async Task Runway_accepts_the_documented_requests_and_reports_documented_tasks(string example, FaultKind? fault)
    {
        Simulators.Reset();
        Simulators.Runway.Latency = TimeSpan.FromMilliseconds(100);
        if (fault is { } kind)
        {
            Simulators.Runway.Faults.Add(new FaultRule(kind));
        }

        var fixtureJson = Shape.Fixture(example);

        using var create = RunwayRequest(HttpMethod.Post, "v1/image_to_video", fixtureJson["request"]);
        using var response = await http.SendAsync(create);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Shape.AssertConforms(fixtureJson["response"], created);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        using var poll = RunwayRequest(HttpMethod.Get, $"v1/tasks/{created["id"]}", null);
        using var answer = await http.SendAsync(poll);
        var task = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        Shape.AssertConforms(Shape.Fixture(fault is null ? "runway/task-succeeded.json" : "runway/task-failed.json"), task);
    }

    /// <summary>
    /// Errors carry an "error" member, https://docs.dev.runwayml.com/api-details/errors; a missing version header is refused
    /// (every request must send X-Runway-Version, https://docs.dev.runwayml.com/api/).
    /// </summary>
    [Fact]
    public async Task Runway_errors_have_the_documented_error_member()
    {
        Simulators.Reset();
        Simulators.Runway.Faults.Add(new FaultRule(FaultKind.InsufficientCredits));
        var documented = Shape.Fixture("runway/error.json");

        using var credits = RunwayRequest(HttpMethod.Post, "v1/image_to_video", Shape.Fixture("runway/image-to-video.json")["request"]);
        using var noVersion = new HttpRequestMessage(HttpMethod.Get, new Uri(Simulators.Runway.BaseUrl, "v1/tasks/unknown"));
        noVersion.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Simulators.Runway.ApiKey);
        using var creditsAnswer = await http.SendAsync(credits);
        using var versionAnswer = await http.SendAsync(noVersion);

        Assert.Equal(HttpStatusCode.BadRequest, creditsAnswer.StatusCode);
        Assert.Equal(documented.ToJsonString(), JsonNode.Parse(await creditsAnswer.Content.ReadAsStringAsync())!.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, versionAnswer.StatusCode);
        Shape.AssertConforms(documented, JsonNode.Parse(await versionAnswer.Content.ReadAsStringAsync()));
    }

    /// <summary>
    /// Request: the sample of https://docs.leonardo.ai/docs/generate-video-using-text-prompts (POST /generations-text-to-video);
    /// response: CreateTextToVideoGenerationResponseBody (motionVideoGenerationJob: generationId, cost {amount, unit}, the
    /// deprecated apiCreditCost), https://github.com/Leonardo-Interactive/leonardo-ts-sdk/blob/main/docs/sdk/models/operations/createtexttovideogenerationmotionvideogenerationoutput.md
    /// and docs/sdk/models/shared/cost.md.
    /// Polling: the fields of generations_by_pk in
    /// https://github.com/Leonardo-Interactive/leonardo-ts-sdk/blob/main/docs/models/operations/getgenerationbyid200applicationjsongenerations.md.
    /// </summary>
    [Fact]
    public async Task Leonardo_accepts_the_documented_text_to_video_sample_and_reports_a_documented_generation()
    {
        Simulators.Reset();
        Simulators.Leonardo.Latency = TimeSpan.FromMilliseconds(100);
        var fixtureJson = Shape.Fixture("leonardo/text-to-video.json");

        using var create = Post(new Uri(Simulators.Leonardo.BaseUrl, "v1/generations-text-to-video"), fixtureJson["request"]!, Simulators.Leonardo.ApiKey);
        using var response = await http.SendAsync(create);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Shape.AssertConforms(fixtureJson["response"], created);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var id = created["motionVideoGenerationJob"]!["generationId"]!.GetValue<string>();
        var generation = await GetJsonAsync(new Uri(Simulators.Leonardo.BaseUrl, $"v1/generations/{id}").ToString(), Simulators.Leonardo.ApiKey);
        Shape.AssertConforms(Shape.Fixture("leonardo/generation.json"), generation);
    }

    /// <summary>
    /// The presigned upload flow of https://docs.leonardo.ai/docs/how-to-upload-an-image-using-a-presigned-url: POST /init-image
    /// answers {id, fields (a JSON string), key, url}; a multipart POST of the fields plus the file to url uploads the image.
    /// </summary>
    [Fact]
    public async Task Leonardo_init_image_follows_the_documented_presigned_upload()
    {
        Simulators.Reset();
        var fixtureJson = Shape.Fixture("leonardo/init-image.json");

        using var create = Post(new Uri(Simulators.Leonardo.BaseUrl, "v1/init-image"), fixtureJson["request"]!, Simulators.Leonardo.ApiKey);
        using var response = await http.SendAsync(create);
        var upload = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Shape.AssertConforms(fixtureJson["response"], upload);

        var details = upload["uploadInitImage"]!;
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in (JsonObject)JsonNode.Parse(details["fields"]!.GetValue<string>())!)
        {
            form.Add(new StringContent(value!.GetValue<string>()), name);
        }

        form.Add(new ByteArrayContent(MediaStore.Png(8, 8)), "file", "init.png");
        using var uploaded = await http.PostAsync(new Uri(details["url"]!.GetValue<string>()), form);
        Assert.Equal(HttpStatusCode.NoContent, uploaded.StatusCode);
    }

    private static HttpRequestMessage Post(Uri url, JsonNode body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private HttpRequestMessage RunwayRequest(HttpMethod method, string path, JsonNode? body)
    {
        var request = new HttpRequestMessage(method, new Uri(Simulators.Runway.BaseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Simulators.Runway.ApiKey);
        request.Headers.Add("X-Runway-Version", "2024-11-06");
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return request;
    }

    private async Task<JsonNode> GetJsonAsync(string url, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public void Dispose() => http.Dispose();
}
