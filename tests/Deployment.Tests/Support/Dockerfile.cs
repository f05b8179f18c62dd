using System.Text.RegularExpressions;

namespace CinematicSwitch.Deployment.Tests.Support;

internal sealed record DockerInstruction(string Keyword, string Arguments);

/// <summary>One FROM ... [AS name] and the instructions under it.</summary>
internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<string> All(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>Position of the first instruction matching, or -1.</summary>
    public int IndexOf(Func<DockerInstruction, bool> match) =>
        Instructions.Select((instruction, index) => (instruction, index)).FirstOrDefault(p => match(p.instruction), (null!, -1)).Item2;
}

/// <summary>
/// A Dockerfile read into stages as a build with the given build arguments sees it: comments dropped, continuation
/// lines joined, and <c>$NAME</c>/<c>${NAME}</c> expanded where the build expands them (FROM with the global ARGs;
/// inside a stage, the ARGs it declares and its ENVs in the instructions Docker expands, the ARGs in RUN's shell;
/// anything undeclared is empty, as in a real build).
/// </summary>
internal sealed partial class Dockerfile
{
    /// <summary>The instructions whose arguments the builder itself expands (ENTRYPOINT and CMD are left as written).</summary>
    private static readonly HashSet<string> Expanded = ["ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"];

    private Dockerfile(IReadOnlyList<DockerStage> stages) => Stages = stages;

    /// <summary>The stages as written (a stage built FROM another has only its own instructions).</summary>
    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The image the build produces: the last stage, with the instructions of the stages it is built FROM first.</summary>
    public DockerStage Final => Flatten(Stages[^1]);

    public DockerStage Stage(string name) => Stages.Single(s => s.Name == name);

    public static Dockerfile Read(string path, IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        buildArgs ??= new Dictionary<string, string>();
        var global = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        var scope = new Dictionary<string, string>(StringComparer.Ordinal);
        var args = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyword, raw) in Instructions(path))
        {
            if (keyword == "FROM")
            {
                var words = Expand(raw, global, undeclaredIsEmpty: true).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var name = words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
                // A stage sees the ENVs of the stage it is built FROM, and no ARG until it declares one.
                scope = stages.LastOrDefault(s => s.Name == words[0]) is { } parent
                    ? new Dictionary<string, string>(EnvironmentOf(Flatten(stages, parent)), StringComparer.Ordinal)
                    : new Dictionary<string, string>(StringComparer.Ordinal);
                args = [];
                stages.Add(new DockerStage(words[0], name, []));
                continue;
            }

            if (keyword == "ARG")
            {
                var (name, value) = Declaration(raw);
                var declared = buildArgs.TryGetValue(name, out var given) ? given
                    : value is not null ? Expand(value, stages.Count == 0 ? global : scope, undeclaredIsEmpty: true)
                    : stages.Count > 0 && global.TryGetValue(name, out var inherited) ? inherited
                    : "";
                (stages.Count == 0 ? global : scope)[name] = declared;
                args.Add(name);
                continue;
            }

            Assert.NotEmpty(stages);
            var arguments = keyword switch
            {
                "RUN" => Expand(raw, scope.Where(kv => args.Contains(kv.Key)).ToDictionary(), undeclaredIsEmpty: false),
                _ when Expanded.Contains(keyword) => Expand(raw, scope, undeclaredIsEmpty: true),
                _ => raw,
            };
            if (keyword == "ENV")
            {
                var (name, value) = Declaration(arguments);
                scope[name] = value ?? "";
            }

            var current = stages[^1];
            stages[^1] = current with { Instructions = [.. current.Instructions, new DockerInstruction(keyword, arguments)] };
        }

        return new Dockerfile(stages);
    }

    private DockerStage Flatten(DockerStage stage) => Flatten(Stages, stage);

    private static DockerStage Flatten(IReadOnlyList<DockerStage> stages, DockerStage stage)
    {
        var index = stages.ToList().IndexOf(stage);
        var parent = stages.Take(index).LastOrDefault(s => s.Name == stage.Image);
        if (parent is null)
        {
            return stage;
        }

        var flat = Flatten(stages, parent);
        return stage with { Image = flat.Image, Instructions = [.. flat.Instructions, .. stage.Instructions] };
    }

    private static Dictionary<string, string> EnvironmentOf(DockerStage stage) =>
        stage.All("ENV").Select(Declaration).GroupBy(d => d.Name).ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal);

    /// <summary>NAME=value, or NAME alone (ARG without a default).</summary>
    private static (string Name, string? Value) Declaration(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (text.Trim(), null) : (text[..equals].Trim(), text[(equals + 1)..].Trim().Trim('"'));
    }

    private static string Expand(string text, Dictionary<string, string> variables, bool undeclaredIsEmpty) =>
        Variable().Replace(text, m =>
        {
            var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value;
            return variables.TryGetValue(name, out var value) ? value : undeclaredIsEmpty ? "" : m.Value;
        });

    /// <summary>The instructions of the file: keyword (upper case) and arguments, comments dropped, continuations joined.</summary>
    private static IEnumerable<(string Keyword, string Arguments)> Instructions(string path)
    {
        var pending = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var text = (pending + line).Trim();
            pending = "";
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            yield return (text[..space].ToUpperInvariant(), text[(space + 1)..].Trim());
        }
    }

    [GeneratedRegex(@"\$(\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Variable();
}
