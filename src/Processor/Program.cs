using CinematicSwitch.Processor;
using CinematicSwitch.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("processor");
builder.AddProcessor();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
