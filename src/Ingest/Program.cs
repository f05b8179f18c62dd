using CinematicSwitch.Ingest;
using CinematicSwitch.ServiceDefaults.Logging;

return await ServiceLogging.RunAsync("ingest", args, async () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddIngest();

    var app = builder.Build();
    app.MapIngest();
    await app.RunAsync();
});
