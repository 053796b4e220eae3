package io.tsfleet.systemtests.console;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.testing.LocalFleet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Keys;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web console in a real browser (Debian's headless Chromium) against a real fleet of processes: emulator,
 * coordinator and three listener replicas on 64 CPUs. The page must show every CPU with the owner the admin API
 * reports (in its model and in the pixels it draws), refuse what the token does not allow, and move CPUs through
 * the same admin API, with the move visible in the API and in the page. The last test replaces that static fleet by
 * a cluster fleet of three emulated nodes of different sizes, whose agents announce them to a coordinator without
 * {@code possible-cpus}: the page must draw one grid per node with the owners of the API and move CPUs of the node
 * it names.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} ({@code scripts/install-browser.sh}) and
 * the three service jars. The screenshot goes to {@code system-tests/target/console-it/console.png}, or where
 * {@code -Dtsfleet.console.screenshot=<path>} says (the docs use {@code docs/console.png}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
    private static final int CPUS = 64;
    private static final Duration SETTLE = Duration.ofSeconds(180);
    private static final Duration PAGE = Duration.ofSeconds(60);
    static final String ADMIN_TOKEN = "console-it-admin";
    static final String READ_TOKEN = "console-it-read";
    private static final LocalFleet.Tokens TOKENS = new LocalFleet.Tokens("console-it-broker", ADMIN_TOKEN, READ_TOKEN, "console-it-replica");
    /** The cluster fleet's nodes node-1..3: different sizes, so that a grid drawn for the wrong node shows. */
    private static final int[] NODE_CPUS = {32, 16, 8};
    private static final String[] COORDINATOR_ARGS = {"--tsfleet.coordinator.store=memory",
            // the fleet settles (and the page's moves complete) in a few heartbeats: short ones keep the test quick
            "--tsfleet.coordinator.heartbeat-interval=500ms",
            "--tsfleet.coordinator.tick-interval=250ms",
            "--tsfleet.coordinator.policy.load-warmup=3s"};

    private static Path projectDir;
    private static Path workDir;
    private static LocalFleet fleet;
    private static CoordinatorApi api;
    private static HeadlessChromium browser;
    private static ConsolePage page;

    @BeforeAll
    static void startFleetAndBrowser() throws Exception {
        if (!HeadlessChromium.installed()) return; // every test is skipped, with the reason (see needsTheBrowser)
        projectDir = Path.of(System.getProperty("tsfleet.project.dir", "..")).toAbsolutePath().normalize();
        workDir = projectDir.resolve("system-tests/target/console-it");
        fleet = LocalFleet.builder(projectDir, workDir).cpus(CPUS).baseRate(20).replicas(3).tokens(TOKENS)
                .coordinatorArgs(COORDINATOR_ARGS)
                .start();
        api = new CoordinatorApi(fleet.coordinatorUrl(), READ_TOKEN);
        awaitSettled(fleet.replicaIds().size());
        browser = new HeadlessChromium(1440, 1200, workDir);
        page = new ConsolePage(browser.driver(), fleet.coordinatorUrl());
    }

    /** Per test rather than per class, so that each skipped test is reported with the reason. */
    @BeforeEach
    void needsTheBrowser() {
        assumeTrue(HeadlessChromium.installed(), "skipped: the console's browser test needs Debian's chromium and chromedriver at "
                + HeadlessChromium.CHROMIUM + " and " + HeadlessChromium.CHROMEDRIVER + " (run scripts/install-browser.sh)");
    }

    @AfterEach
    void thePageLoggedNoError() {
        if (page != null) assertThat(page.javascriptErrors()).as("errors in the page's console").isEmpty();
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) browser.close();
        } finally {
            if (fleet != null) fleet.close();
        }
    }

    @Test
    @Order(1)
    void asksForATokenAndShowsWhyAnUnknownOneIsRefused() {
        // the page and its files need no token; the API behind them does
        String base = fleet.coordinatorUrl();
        assertThat(CoordinatorApi.statusOf(base + "/", null)).isEqualTo(200);
        assertThat(CoordinatorApi.statusOf(base + "/console/app.js", null)).isEqualTo(200);
        assertThat(CoordinatorApi.statusOf(base + "/api/v1/status", null)).isEqualTo(401);
        assertThat(CoordinatorApi.statusOf(base + "/api/v1/status", READ_TOKEN)).isEqualTo(200);

        page.openSignedOut();
        assertThat(page.visible("app")).as("the fleet is hidden until a token is given").isFalse();

        page.connect("not-a-token");

        await().atMost(PAGE).until(() -> page.visible("token-error"));
        assertThat(page.text("token-error")).contains("unknown bearer token");
        assertThat(page.visible("app")).isFalse();
    }

    @Test
    @Order(2)
    void withAReadTokenTheGridShowsEveryCpuWithTheOwnerOfTheApi() {
        page.openSignedOut();
        page.connect(READ_TOKEN);
        page.awaitReady(PAGE);

        assertGridMatchesTheApi();
        assertThat(page.replicaRows()).containsExactlyElementsOf(fleet.replicaIds());
        // the imbalance card shows the floor of GET /status (the fleet is settled: the floor moves with the loads only)
        await().atMost(PAGE).untilAsserted(() -> assertThat(page.statText("imbalance"))
                .contains(String.format(java.util.Locale.ROOT, "floor %.2f", api.get("/status").get("imbalanceFloorRatio").asDouble())));

        // hover: the card shows the CPU, its owner, and the per-CPU numbers fetched from GET /cpus/{cpu}
        Map<Integer, String> owners = CoordinatorApi.ownersByCpu(api.get("/assignment"));
        int cpu = 37;
        String tip = page.hover(cpu);
        assertThat(tip).contains("CPU " + cpu, "owner", owners.get(cpu), "exit rate", "lost", "registered");

        // the keyboard: the cursor starts on the first CPU; Enter selects, shift+arrows extend the selection
        page.typeIntoGrid(Keys.ARROW_RIGHT, Keys.ENTER);
        assertThat(page.moveCpusField()).isEqualTo("1");
        page.typeIntoGridWithShift(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT);
        assertThat(page.moveCpusField()).isEqualTo("1-3");

        // a read token may not write: the page shows the coordinator's 403 and nothing changes
        long generation = api.get("/assignment").get("generation").asLong();
        page.typeMoveCpus("0-1");
        page.submitMove(fleet.replicaIds().getLast(), true);
        assertThat(page.awaitActionOutcome("Move")).contains("refused", "admin token");
        assertThat(api.get("/assignment").get("generation").asLong()).isEqualTo(generation);
    }

    @Test
    @Order(3)
    void anAdminMovesCpusThroughThePageAndTheFleetFollows() throws Exception {
        page.openSignedOut();
        page.connect(ADMIN_TOKEN);
        page.awaitReady(PAGE);
        assertGridMatchesTheApi();

        // four consecutive CPUs that the target replica does not own, selected with the mouse in the grid
        JsonNode before = api.get("/assignment");
        Map<Integer, String> owners = CoordinatorApi.ownersByCpu(before);
        String target = fleet.replicaIds().getFirst();
        int first = firstRunNotOwnedBy(owners, target, 4);
        CpuSet moved = CpuSet.range(first, first + 3);
        page.selectRangeWithMouse(first, first + 3);
        assertThat(page.moveCpusField()).isEqualTo(moved.toCpulist());
        assertThat(page.movePreview()).contains(target + " will own exactly");

        CpuSet expectedMask = CoordinatorApi.cpus(before.get("targets").get(target).asString()).union(moved);
        page.submitMove(target, false);
        assertThat(page.awaitActionOutcome("Move")).contains("done");

        // the API: the replica is pinned to its CPUs plus the moved ones, and owns them once the handovers are done
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode now = api.get("/assignment");
            assertThat(now.get("pins").get(target).asString()).isEqualTo(expectedMask.toCpulist());
            assertThat(CoordinatorApi.settled(now)).as("settled: %s", now).isTrue();
            assertThat(CoordinatorApi.cpus(now.get("owners").get(target).asString())).isEqualTo(expectedMask);
        });
        // the page: the same owners, drawn in the target's colour
        Map<Integer, String> cells = assertGridMatchesTheApi();
        moved.forEach(c -> assertThat(cells.get(c)).as("CPU %d in the grid", c).isEqualTo(target));

        String tip = page.hover(first);
        assertThat(tip).contains("CPU " + first, target, "pinned to " + target);
        saveScreenshot(page.screenshot(), "console.png");
    }

    @Test
    @Order(4)
    void anAdminPreviewsARebalanceAndDrainsAReplicaThroughThePage() {
        page.openSignedOut();
        page.connect(ADMIN_TOKEN);
        page.awaitReady(PAGE);

        // the preview is a dry run: a plan is shown, nothing changes
        long generation = api.get("/assignment").get("generation").asLong();
        page.click("rebalance-preview");
        assertThat(page.awaitActionOutcome("Rebalance preview")).contains("Rebalance preview: done");
        assertThat(page.text("plan-result")).contains("Dry run: nothing changed", "imbalance", "floor");
        assertThat(api.get("/assignment").get("generation").asLong()).isEqualTo(generation);

        // drain, confirmed in the dialog: the replica's CPUs move to the others and the grid follows
        String drained = fleet.replicaIds().getLast();
        page.clickRowButton(drained, "Drain");
        assertThat(page.confirmDialog()).contains("Drain " + drained);
        assertThat(page.awaitActionOutcome("Drain " + drained)).contains("Drain " + drained + ": done");
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode now = api.get("/assignment");
            assertThat(CoordinatorApi.settled(now)).as("settled: %s", now).isTrue();
            assertThat(CoordinatorApi.ownersByCpu(now)).doesNotContainValue(drained).doesNotContainValue(null);
        });
        Map<Integer, String> cells = assertGridMatchesTheApi();
        assertThat(cells).doesNotContainValue(drained);
        await().atMost(PAGE).untilAsserted(() -> assertThat(page.text("replicas-body")).contains("DRAINING"));
    }

    @Test
    @Order(5)
    void aClusterFleetShowsOneGridPerNodeAndAMoveNamesTheNode() throws Exception {
        // the static fleet makes way (two fleets at once would be too much for a small machine); the page leaves it first,
        // or its polls of the stopped coordinator would be logged as errors
        page.leave();
        fleet.close();
        fleet = LocalFleet.builder(projectDir, workDir.resolve("cluster")).nodes(NODE_CPUS).baseRate(20).replicas(3).tokens(TOKENS)
                .nodeToken("console-it-node").coordinatorArgs(COORDINATOR_ARGS).start();
        api = new CoordinatorApi(fleet.coordinatorUrl(), READ_TOKEN);
        List<String> nodes = fleet.nodeNames();
        try {
            await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(CoordinatorApi.slots(api.get("/assignment").get("possibleCpus").asString()).keySet())
                            .containsExactlyInAnyOrderElementsOf(nodes));
        } catch (AssertionError e) {
            throw new AssertionError("the nodes did not announce themselves: " + e.getMessage() + "\n" + fleet.logTails(30), e);
        }
        awaitSettled(fleet.replicaIds().size());
        page = new ConsolePage(browser.driver(), fleet.coordinatorUrl());
        page.openSignedOut();
        page.connect(ADMIN_TOKEN);
        page.awaitReady(PAGE);

        // one grid per node, by node name, each with its node's CPUs; every cell has the API's owner
        Map<String, String> cells = assertNodeGridsMatchTheApi();
        assertThat(page.named()).isTrue();
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i);
            int cpus = NODE_CPUS[i];
            assertThat(page.nodeHead(node)).contains(node, cpus + " CPUs", "boot", "broker " + fleet.brokerAddresses().get(i), "delay accounting");
            assertThat(page.nodeRow(node)).contains(node, "0-" + (cpus - 1), fleet.brokerAddresses().get(i));
        }
        assertThat(page.statText("cpus")).contains(String.valueOf(cells.size()), "on 3 nodes");

        // hover: the card asks GET /cpus/{cpu}?node= (without the node the coordinator answers 400 on a fleet of several)
        String hovered = nodes.get(1) + ":5";
        String tip = page.hover(hovered);
        assertThat(tip).contains("CPU 5", nodes.get(1), cells.get(hovered), "exit rate", "lost", "registered");

        // a move naming a node: two CPUs of node-2 that the target replica does not own, selected with the mouse
        String node = nodes.get(1);
        JsonNode before = api.get("/assignment");
        Map<String, String> owners = CoordinatorApi.ownersBySlot(before);
        String target = fleet.replicaIds().getFirst();
        int first = -1;
        for (int c = 0; c + 1 < NODE_CPUS[1] && first < 0; c++) {
            if (!target.equals(owners.get(node + ":" + c)) && !target.equals(owners.get(node + ":" + (c + 1)))) first = c;
        }
        assertThat(first).as("%s owns no two neighbouring CPUs of %s less than the others: %s", target, node, owners).isNotNegative();
        page.selectRangeWithMouse(node + ":" + first, node + ":" + (first + 1));
        assertThat(page.moveNode()).as("the node selector follows the grid the selection was made in").isEqualTo(node);
        assertThat(page.moveCpusField()).isEqualTo(first + "-" + (first + 1));
        assertThat(page.movePreview()).contains(target + " will own exactly " + node + ":");

        CpuSet targetOnNode = CoordinatorApi.slots(before.get("targets").get(target).asString()).getOrDefault(node, CpuSet.EMPTY);
        CpuSet expectedMask = targetOnNode.union(CpuSet.range(first, first + 1));
        page.submitMove(target, false);
        assertThat(page.awaitActionOutcome("Move")).contains("Move " + node + ":", "done");

        // the API: the replica is pinned to those CPUs of that node (a pinned replica owns exactly its pins) and owns them
        String expected = node + ":" + expectedMask.toCpulist();
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode now = api.get("/assignment");
            assertThat(now.get("pins").get(target).asString()).isEqualTo(expected);
            assertThat(CoordinatorApi.settled(now)).as("settled: %s", now).isTrue();
            assertThat(now.get("owners").get(target).asString()).isEqualTo(expected);
        });
        Map<String, String> after = assertNodeGridsMatchTheApi();
        expectedMask.forEach(c -> assertThat(after.get(node + ":" + c)).as("CPU %d of %s in the grid", c, node).isEqualTo(target));
        assertThat(page.hover(node + ":" + first)).contains(node, target, "pinned to " + target);
        saveScreenshot(page.screenshot(), "console-cluster.png");
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Waits until the page shows the generation the API has, with one grid per node of the assignment (its CPUs, by name) and
     * every slot's owner equal; answers the cells ({@code node:cpu} -> owner).
     */
    private static Map<String, String> assertNodeGridsMatchTheApi() {
        AtomicReference<Map<String, String>> cells = new AtomicReference<>();
        await().atMost(PAGE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode assignment = api.get("/assignment");
            page.refreshNow();
            assertThat(page.generation()).isEqualTo(assignment.get("generation").asLong());
            Map<String, String> sections = new TreeMap<>();
            CoordinatorApi.slots(assignment.get("possibleCpus").asString()).forEach((n, cpus) -> sections.put(n, cpus.toCpulist()));
            assertThat(page.sections()).as("the grids: node -> CPUs, by node name").containsExactlyEntriesOf(sections);
            Map<String, String> shown = page.slotCells();
            assertThat(shown).as("node:cpu -> owner in the grids").isEqualTo(CoordinatorApi.ownersBySlot(assignment));
            cells.set(shown);
        });
        assertThat(page.colourMismatches()).as("cells whose drawn colour is not their owner's").isEmpty();
        return cells.get();
    }


    /** Waits until the page shows the generation the API has, with every CPU's owner equal; answers the cells. */
    private static Map<Integer, String> assertGridMatchesTheApi() {
        AtomicReference<Map<Integer, String>> cells = new AtomicReference<>();
        await().atMost(PAGE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode assignment = api.get("/assignment");
            page.refreshNow();
            Map<Integer, String> shown = page.cells();
            assertThat(page.generation()).isEqualTo(assignment.get("generation").asLong());
            Map<Integer, String> owners = CoordinatorApi.ownersByCpu(assignment);
            assertThat(shown).as("CPU -> owner in the grid").hasSize(CPUS).isEqualTo(owners);
            cells.set(shown);
        });
        assertThat(page.colourMismatches()).as("cells whose drawn colour is not their owner's").isEmpty();
        List<String> distinct = cells.get().values().stream().filter(Objects::nonNull).distinct().map(page::colourOf).distinct().toList();
        assertThat(distinct).as("one colour per owning replica").hasSize((int) cells.get().values().stream().filter(Objects::nonNull).distinct().count());
        return cells.get();
    }

    private static void awaitSettled(int replicas) {
        try {
            await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                JsonNode assignment = api.get("/assignment");
                List<String> active = new ArrayList<>();
                for (JsonNode r : api.get("/replicas")) if ("ACTIVE".equals(r.get("state").asString())) active.add(r.get("id").asString());
                assertThat(active).hasSize(replicas);
                assertThat(CoordinatorApi.settled(assignment)).as("settled: %s", assignment).isTrue();
                assertThat(assignment.get("owners").size()).isEqualTo(replicas);
            });
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("the fleet did not settle: " + e.getMessage() + "\n" + fleet.logTails(30), e);
        }
    }

    private static int firstRunNotOwnedBy(Map<Integer, String> owners, String replica, int length) {
        for (int start = 0; start + length <= CPUS; start++) {
            boolean free = true;
            for (int c = start; c < start + length && free; c++) free = !replica.equals(owners.get(c));
            if (free) return start;
        }
        throw new AssertionError(replica + " owns no run of " + length + " CPUs less than the others: " + owners);
    }

    /** To {@code tsfleet.console.screenshot}'s folder (the docs' pictures) when it is set, else to the test's work folder. */
    private static void saveScreenshot(byte[] png, String name) throws Exception {
        String given = System.getProperty("tsfleet.console.screenshot");
        Path target = given == null ? workDir.resolve(name) : Path.of(given).toAbsolutePath().resolveSibling(name);
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.write(target, png);
        System.out.println("console screenshot: " + target.toAbsolutePath());
    }
}
