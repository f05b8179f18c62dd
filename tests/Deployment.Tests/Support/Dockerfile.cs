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

/// <summary>A Dockerfile read into stages: comments dropped, continuation lines joined.</summary>
internal sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<DockerStage> stages) => Stages = stages;

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Final => Stages[^1];

    public DockerStage Stage(string name) => Stages.Single(s => s.Name == name);

    public static Dockerfile Read(string path)
    {
        var instructions = new List<DockerInstruction>();
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
            instructions.Add(new DockerInstruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim()));
        }

        var stages = new List<DockerStage>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new DockerStage(words[0], words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null, []));
            }
            else
            {
                Assert.NotEmpty(stages);
                var current = stages[^1];
                stages[^1] = current with { Instructions = [.. current.Instructions, instruction] };
            }
        }

        return new Dockerfile(stages);
    }
}
