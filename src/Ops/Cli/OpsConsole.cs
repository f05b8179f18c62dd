using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CinematicSwitch.Ops.Cli;

/// <summary>
/// Where results and notices go. Results (tables, or JSON with --json) go to standard output; notices, warnings and
/// progress go to standard error, so that <c>--json</c> output can be piped as it is.
/// </summary>
internal sealed class OpsConsole
{
    /// <summary>Wide enough that tables written to a file or a pipe are not wrapped into unreadable columns.</summary>
    private const int RedirectedWidth = 240;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Read by scripts and people, never embedded in HTML: quotes and apostrophes stay as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Contract enums print as their Avro symbols (TIMEOUT_ERROR, REPLICATE).
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
    };

    private readonly TextWriter _out;

    public OpsConsole(OpsEnvironment environment, bool json)
    {
        _out = environment.Out;
        Json = json;
        Out = Create(environment.Out, environment.OutIsTerminal);
        Error = Create(environment.Error, environment.ErrorIsTerminal);
    }

    /// <summary>True when results are written as JSON.</summary>
    public bool Json { get; }

    /// <summary>Results for people.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Notices, warnings and progress.</summary>
    public IAnsiConsole Error { get; }

    /// <summary>A live progress display makes sense only on a terminal.</summary>
    public bool ShowsLiveProgress => Error.Profile.Capabilities.Interactive;

    public void Notice(string text) => Error.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    public void Warning(string text) => Error.MarkupLine($"[yellow]{Markup.Escape(text)}[/]");

    public void Failure(string text) => Error.MarkupLine($"[red]{Markup.Escape(text)}[/]");

    /// <summary>A result line, unless results are JSON.</summary>
    public void Line(string text)
    {
        if (!Json)
        {
            Out.WriteLine(text);
        }
    }

    public void Write(IRenderable renderable) => Out.Write(renderable);

    public void WriteJson<T>(T value) => _out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>A table whose cells are plain text (never markup: values come from records).</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    /// <summary>Records in a table, then how many there are in each state.</summary>
    public void WriteList<T>(string noun, IReadOnlyList<string> columns, IReadOnlyList<T> views)
        where T : IListedView
    {
        Write(Table(columns, views.Select(v => v.Cells())));
        var states = views.GroupBy(v => v.State, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
        Line($"{views.Count} {noun}(s){(views.Count == 0 ? "" : ": " + string.Join(", ", states))}.");
    }

    public static Table Table(IReadOnlyList<string> columns, IEnumerable<string?[]> rows)
    {
        var table = Table([.. columns]);
        foreach (var row in rows)
        {
            Row(table, row);
        }

        return table;
    }

    public static void Row(Table table, params string?[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c ?? "")).ToArray());

    private static IAnsiConsole Create(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}

/// <summary>A record as a table row, with the state it is counted under.</summary>
internal interface IListedView
{
    string State { get; }

    string?[] Cells();
}
