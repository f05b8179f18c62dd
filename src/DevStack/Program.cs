using CinematicSwitch.DevStack;
using CinematicSwitch.ServiceDefaults.Logging;
using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.ServiceDefaults.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

return await ServiceLogging.RunAsync("devstack", args, async () =>
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.AddServiceLogging("devstack");
    builder.Services.AddValidatedOptions<DevStackOptions>(DevStackOptions.SectionName);
    builder.Services.AddValidatedOptions<TopologyOptions>(TopologyOptions.SectionName);
    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.AddHostedService<EmbeddedStackHost>();
    await builder.Build().RunAsync();
});
