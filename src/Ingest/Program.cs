using CinematicSwitch.Ingest;

var builder = WebApplication.CreateBuilder(args);
builder.AddIngest();

var app = builder.Build();
app.MapIngest();
app.Run();
