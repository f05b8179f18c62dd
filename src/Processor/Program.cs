using CinematicSwitch.Processor;
using CinematicSwitch.ServiceDefaults;
using CinematicSwitch.ServiceDefaults.Logging;

return await ServiceLogging.RunAsync("processor", args, async () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddServiceDefaults("processor");
    builder.AddProcessor();

    var app = builder.Build();
    app.UseServiceDefaults();
    await app.RunAsync();
});
