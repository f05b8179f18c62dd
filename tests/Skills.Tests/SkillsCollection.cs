namespace CinematicSwitch.Skills.Tests;

/// <summary>The tests that start a pipeline run one at a time: each runs a processor and an archiver on a shared 2-core machine.</summary>
[CollectionDefinition(Name)]
public sealed class SkillsCollection
{
    public const string Name = "skills pipeline";
}
