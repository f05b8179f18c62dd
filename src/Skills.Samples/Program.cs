using CinematicSwitch.ServiceDefaults.Endpoints;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Skills.Client;
using CinematicSwitch.Skills.Samples;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// dotnet run --project src/Skills.Samples -- <sample> [--campaign ID] [--timeout 00:10:00] [--endpoints FILE] [--SkillClient:Key=value ...]
// Attaches to the embedded stack through .devstack/endpoints.json (scripts/run.sh writes it). The result (or the skill
// error) goes to standard output as JSON, the client's log to standard error.
const int Usage = 2;
string[] samples = ["intro-loop-text", "intro-loop-image", "outcome-win", "outcome-lose"];
if (args.Length == 0 || !samples.Contains(args[0]))
{
    await Console.Error.WriteLineAsync($"usage: dotnet run --project src/Skills.Samples -- <{string.Join('|', samples)}> [--campaign ID] [--timeout 00:10:00] [--endpoints FILE]");
    return Usage;
}

var sample = args[0];
var configuration = new ConfigurationBuilder()
    .AddEnvironmentVariables()
    .AddCommandLine(args[1..], new Dictionary<string, string> { ["--campaign"] = "Sample:Campaign", ["--timeout"] = "Sample:Timeout", ["--endpoints"] = "Sample:Endpoints" })
    .Build();
var campaign = configuration["Sample:Campaign"] ?? "summer-cup";
var timeout = TimeSpan.Parse(configuration["Sample:Timeout"] ?? "00:10:00", System.Globalization.CultureInfo.InvariantCulture);
var endpointsPath = configuration["Sample:Endpoints"] ?? FindEndpoints(Directory.GetCurrentDirectory())
    ?? throw new FileNotFoundException("No .devstack/endpoints.json here or above: start the embedded stack with scripts/run.sh, or pass --endpoints.");

using var cancel = new CancellationTokenSource(timeout);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var endpoints = await StackEndpoints.ReadAsync(endpointsPath, cancel.Token);
var tenant = endpoints.DemoTenant?.TenantId ?? throw new InvalidDataException($"{endpointsPath} names no demo tenant: the stack runs without its services.");
var options = new SkillClientOptions
{
    TenantId = tenant,
    BootstrapServers = endpoints.Kafka.BootstrapServers,
    TopicPrefix = endpoints.Kafka.TopicPrefix,
    SchemaRegistryUrl = endpoints.SchemaRegistryUrl,
};
configuration.GetSection(SkillClientOptions.SectionName).Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);

using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true)
    .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
await using var client = new SkillClient(options, logging.CreateLogger<SkillClient>());
await client.StartAsync(cancel.Token);

var skill = sample.StartsWith("intro", StringComparison.Ordinal) ? CampaignSkills.IntroLoop
    : sample == "outcome-win" ? CampaignSkills.OutcomeWin : CampaignSkills.OutcomeLose;
try
{
    var video = sample switch
    {
        "intro-loop-text" => await CampaignSkills.IntroLoopFromTextAsync(client, campaign, cancel.Token),
        "intro-loop-image" => await CampaignSkills.IntroLoopFromImageAsync(client, campaign,
            await CampaignAssets.PutStyleImageAsync(new ObjectStore(S3ClientFactory.Create(S3(endpoints.S3)), Options.Create(S3(endpoints.S3)), TimeProvider.System),
                "", tenant, campaign, cancel.Token), cancel.Token),
        "outcome-win" => await CampaignSkills.OutcomeWinAsync(client, campaign, cancel.Token),
        _ => await CampaignSkills.OutcomeLoseAsync(client, campaign, cancel.Token),
    };
    Console.WriteLine(SkillOutput.Success(skill, video));
    return 0;
}
catch (SkillVideoException failure)
{
    Console.WriteLine(SkillOutput.Failure(skill, failure));
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync($"No outcome within {timeout}: the request goes on. Run the same command (campaign {campaign}) to wait for it again.");
    return 3;
}

static S3Options S3(S3Endpoint s3) => new()
{
    ServiceUrl = s3.Endpoint,
    Region = s3.Region,
    AccessKey = s3.AccessKey,
    SecretKey = s3.SecretKey,
    ForcePathStyle = s3.ForcePathStyle,
    DisableChunkedUploads = s3.DisableChunkedUploads,
    InputsBucket = s3.InputsBucket,
    ArchiveBucket = s3.ArchiveBucket,
};

static string? FindEndpoints(string start)
{
    for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
    {
        var candidate = Path.Combine(directory.FullName, ".devstack", "endpoints.json");
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }

    return null;
}
