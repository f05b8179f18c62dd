using System.Net;
using CinematicSwitch.SchemaRegistry.Server;
using CinematicSwitch.ServiceDefaults;
using CinematicSwitch.ServiceDefaults.Logging;
using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.Streaming.Clients;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// The development registry as its own process, against a real cluster (topics created through the AdminClient):
// SchemaRegistryServer__Port=8081 Kafka__BootstrapServers=localhost:9092 dotnet CinematicSwitch.SchemaRegistry.Server.dll
return await ServiceLogging.RunAsync("schema-registry", args, async () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddServiceDefaults("schema-registry");
    builder.Services.AddValidatedOptions<SchemaRegistryServerOptions>(SchemaRegistryServerOptions.SectionName)
        .Configure<IConfiguration>((options, configuration) => configuration.GetSection(KafkaOptions.SectionName).Bind(options.Kafka));
    builder.Services.AddSchemaRegistryServer();
    builder.WebHost.ConfigureKestrel(kestrel =>
    {
        var options = kestrel.ApplicationServices.GetRequiredService<IOptions<SchemaRegistryServerOptions>>().Value;
        kestrel.Listen(IPAddress.Parse(options.Host), options.Port);
    });

    var app = builder.Build();
    app.UseServiceDefaults();
    app.MapSchemaRegistry();
    await app.RunAsync();
});
