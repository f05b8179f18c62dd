using CinematicSwitch.Archiver;
using CinematicSwitch.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddArchiver();

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
