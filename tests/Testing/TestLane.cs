namespace CinematicSwitch.Testing;

/// <summary>
/// The test lanes. A test that needs the stack (a Kafka cluster, the schema registry, S3, the provider simulators, the
/// services as processes) carries <c>[Trait("Category", "Stack")]</c>; the fast lane (<c>scripts/test.sh --fast</c>)
/// runs the others, but for the one that publishes every program (<c>Category=Publish</c>). It sets
/// <see cref="Variable"/>, and then every way into the stack throws: a stack test that lost its trait fails there
/// instead of slowing the lane down unnoticed.
/// </summary>
public static class TestLane
{
    /// <summary>Set to "fast" by the fast lane.</summary>
    public const string Variable = "CINEMATIC_TEST_LANE";

    /// <summary>Throws in the fast lane: <paramref name="what"/> is part of the stack.</summary>
    public static void RequireStack(string what)
    {
        if (Environment.GetEnvironmentVariable(Variable) == "fast")
        {
            throw new InvalidOperationException(
                $"The fast lane starts no stack, yet this test asked for {what}: give its class [Trait(\"Category\", \"Stack\")].");
        }
    }
}
