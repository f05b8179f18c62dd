using CinematicSwitch.Streaming.Processing.Changelog;

namespace CinematicSwitch.Streaming.Tests.Processing;

/// <summary>Which claim is in force, as a changelog is read in offset order.</summary>
public sealed class ClaimChainTests
{
    [Fact]
    public void Each_claim_that_supersedes_the_one_in_force_takes_force_and_entries_count_under_it_only()
    {
        var chain = new ClaimChain();
        Assert.True(chain.Apply(0, ClaimChain.None));
        Assert.True(chain.Counts(0));

        Assert.True(chain.Apply(5, 0));
        Assert.False(chain.Counts(0));
        Assert.True(chain.Counts(5));
    }

    [Fact]
    public void A_claim_that_lands_after_a_newer_one_takes_no_force()
    {
        var chain = new ClaimChain();
        chain.Apply(0, ClaimChain.None);
        chain.Apply(3, 0);

        // Written when claim 0 was in force, landed after claim 3.
        Assert.False(chain.Apply(7, 0));
        Assert.Equal(3, chain.InForce);
        Assert.True(chain.Counts(3));
        Assert.False(chain.Counts(7));
    }

    [Fact]
    public void Of_two_claims_made_on_the_same_reading_the_first_to_land_wins()
    {
        var chain = new ClaimChain();
        chain.Apply(0, ClaimChain.None);

        Assert.True(chain.Apply(4, 0));
        Assert.False(chain.Apply(6, 0));
        Assert.Equal(4, chain.InForce);
    }
}
