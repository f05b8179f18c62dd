using CinematicSwitch.Archiver;
using CinematicSwitch.ServiceDefaults;
using CinematicSwitch.ServiceDefaults.Logging;

return await ServiceLogging.RunAsync("archiver", args, async () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddArchiver();

    var app = builder.Build();
    app.UseServiceDefaults();
    await app.RunAsync();
});
