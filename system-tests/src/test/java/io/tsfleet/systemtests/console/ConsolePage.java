package io.tsfleet.systemtests.console;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;

/**
 * The console as a person uses it (typing, clicking, hovering) plus what its {@code window.tsfleetConsole} object
 * says the grid draws.
 */
final class ConsolePage {
    private final ChromeDriver driver;
    private final String url;

    ConsolePage(ChromeDriver driver, String coordinatorUrl) {
        this.driver = driver;
        this.url = coordinatorUrl + "/";
    }

    /** Opens the console in a fresh state: no token in this tab's session storage. */
    ConsolePage openSignedOut() {
        driver.get(url);
        js("sessionStorage.clear();");
        driver.navigate().refresh();
        waitUntil(Duration.ofSeconds(20), d -> visible("welcome"));
        return this;
    }

    /** Leaves the console for an empty page (it stops polling), after checking that it logged no error. */
    void leave() {
        List<String> errors = javascriptErrors();
        if (!errors.isEmpty()) throw new AssertionError("errors in the page's console: " + errors);
        driver.get("about:blank");
    }

    /** Types the token into the page's form and connects. */
    void connect(String token) {
        WebElement field = driver.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token, Keys.ENTER);
    }

    boolean visible(String id) {
        List<WebElement> found = driver.findElements(By.id(id));
        return !found.isEmpty() && found.getFirst().isDisplayed();
    }

    String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    /** Waits until the page has drawn the grid from at least one successful refresh. */
    void awaitReady(Duration timeout) {
        waitUntil(timeout, d -> Boolean.TRUE.equals(js("return !!(window.tsfleetConsole && window.tsfleetConsole.ready);")));
    }

    long generation() {
        return ((Number) js("return window.tsfleetConsole.generation;")).longValue();
    }

    /** Asks the page to refresh now and waits for it. */
    void refreshNow() {
        ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; window.tsfleetConsole.refresh().then(() => done(true), () => done(false));");
    }

    /** CPU -> owner (null for none) of every cell the grid draws. */
    Map<Integer, String> cells() {
        Map<Integer, String> out = new TreeMap<>();
        for (Object cell : (List<?>) js("return window.tsfleetConsole.cells();")) {
            List<?> pair = (List<?>) cell;
            out.put(((Number) pair.get(0)).intValue(), (String) pair.get(1));
        }
        return out;
    }

    /** Whether the page's grids name nodes (a fleet of several nodes): then its cells are keyed {@code node:cpu}. */
    boolean named() {
        return Boolean.TRUE.equals(js("return window.tsfleetConsole.named;"));
    }

    /** The grids in page order: node name -> its CPUs (cpulist). */
    Map<String, String> sections() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Object o : (List<?>) js("return window.tsfleetConsole.sections();")) {
            Map<?, ?> m = (Map<?, ?>) o;
            out.put(String.valueOf(m.get("node")), (String) m.get("cpus"));
        }
        return out;
    }

    /** {@code node:cpu} -> owner (null for none) of every cell the grids draw, on a fleet of several nodes. */
    Map<String, String> slotCells() {
        Map<String, String> out = new TreeMap<>();
        for (Object cell : (List<?>) js("return window.tsfleetConsole.cells();")) {
            List<?> pair = (List<?>) cell;
            out.put((String) pair.get(0), (String) pair.get(1));
        }
        return out;
    }

    /** The text of a node's row in the nodes panel. */
    String nodeRow(String node) {
        return driver.findElement(By.cssSelector("#nodes-body tr[data-node='" + node + "']")).getText();
    }

    /** The heading of a node's grid. */
    String nodeHead(String node) {
        return driver.findElement(By.cssSelector("#grids section.node-grid[data-node='" + node + "'] .node-head")).getText();
    }

    /** The node chosen in the move form. */
    String moveNode() {
        return driver.findElement(By.id("move-node")).getDomProperty("value");
    }

    /** Cells whose drawn centre pixel is not the colour of the owner the page says they have ("cpu: drawn != expected"). */
    List<String> colourMismatches() {
        List<?> found = (List<?>) js("""
                const c = window.tsfleetConsole, out = [];
                for (const [cpu, owner] of c.cells()) {
                  const drawn = c.drawnColourOf(cpu), expected = c.colourOf(owner);
                  if (drawn !== expected) out.push(cpu + ': drawn ' + drawn + ' != ' + expected + ' of ' + owner);
                }
                return out;""");
        return found.stream().map(String::valueOf).toList();
    }

    /** The colour the grid gives a replica. */
    String colourOf(String replica) {
        return (String) js("return window.tsfleetConsole.colourOf(arguments[0]);", replica);
    }

    /** The text of a summary card ({@code data-stat}: generation, cpus, replicas, imbalance, handovers, load). */
    String statText(String stat) {
        return driver.findElement(By.cssSelector("#stats [data-stat=" + stat + "]")).getText();
    }

    /** The replica ids of the rows of the replicas table. */
    List<String> replicaRows() {
        List<String> ids = new ArrayList<>();
        for (WebElement row : driver.findElements(By.cssSelector("#replicas-body tr[data-replica]"))) ids.add(row.getAttribute("data-replica"));
        return ids;
    }

    /**
     * Moves the mouse over a cell ({@code cpu} as an Integer on a fleet of one node, {@code "node:cpu"} on a fleet of
     * several) and answers the hover card's text once it shows the per-CPU numbers.
     */
    String hover(Object cell) {
        new Actions(driver).moveToElement(gridOf(cell), cellOffsetX(cell), cellOffsetY(cell)).perform();
        String title = "CPU " + cpuOf(cell);
        waitUntil(Duration.ofSeconds(15), d -> visible("tip") && text("tip").contains(title) && text("tip").contains("exit rate"));
        return text("tip");
    }

    /** Clicks the first cell and shift+clicks the last one (cells as {@link #hover}, on one grid): the grid's range selection. */
    void selectRangeWithMouse(Object first, Object last) {
        new Actions(driver).moveToElement(gridOf(first), cellOffsetX(first), cellOffsetY(first)).click().perform();
        new Actions(driver).keyDown(Keys.SHIFT).moveToElement(gridOf(last), cellOffsetX(last), cellOffsetY(last)).click()
                .keyUp(Keys.SHIFT).perform();
    }

    String moveCpusField() {
        return driver.findElement(By.id("move-cpus")).getDomProperty("value");
    }

    String movePreview() {
        return text("move-preview");
    }

    /**
     * Chooses the replica and the mode of the move form and submits it (the CPUs come from the field as it is, and
     * on a fleet of several nodes the node from its selector).
     */
    void submitMove(String replica, boolean exactly) {
        new Select(driver.findElement(By.id("move-replica"))).selectByValue(replica);
        driver.findElement(By.cssSelector("input[name=move-mode][value=" + (exactly ? "exact" : "add") + "]")).click();
        driver.findElement(By.id("move-submit")).click();
    }

    void typeMoveCpus(String cpulist) {
        WebElement field = driver.findElement(By.id("move-cpus"));
        field.clear();
        field.sendKeys(cpulist);
    }

    /**
     * Errors the page logged since the last call: uncaught exceptions, failed module loads, CSP violations. The
     * browser's own "Failed to load resource" lines for HTTP 401 and 403 are left out: tests provoke those on purpose,
     * and the page shows them as refusals.
     */
    List<String> javascriptErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !(m.contains("Failed to load resource") && (m.contains("status of 401") || m.contains("status of 403"))))
                .toList();
    }

    /** Clicks a replica row's button ("Drain" or "Unpin"). */
    void clickRowButton(String replica, String label) {
        driver.findElement(By.cssSelector("#replicas-body tr[data-replica='" + replica + "'] button[aria-label='" + label + " " + replica + "']")).click();
    }

    /** Answers the open confirmation dialog's text and presses its confirm button. */
    String confirmDialog() {
        waitUntil(Duration.ofSeconds(10), d -> Boolean.TRUE.equals(js("return document.getElementById('confirm').open;")));
        String text = text("confirm-text");
        driver.findElement(By.cssSelector("#confirm button[value=confirm]")).click();
        return text;
    }

    void click(String id) {
        driver.findElement(By.id(id)).click();
    }

    /**
     * Waits for the outcome of the admin action whose status starts with {@code what} ("Move", "Drain replica-3",
     * "Rebalance preview"...): "... done ..." or "... refused: ...", and answers it.
     */
    String awaitActionOutcome(String what) {
        waitUntil(Duration.ofSeconds(30), d -> {
            String status = text("action-status");
            String cls = driver.findElement(By.id("action-status")).getAttribute("class");
            return status.startsWith(what) && cls != null && (cls.contains("good") || cls.contains("bad"));
        });
        return text("action-status");
    }

    /** A screenshot of the whole page: the window is made as tall as the page first. */
    byte[] screenshot() {
        long pageHeight = ((Number) js("return document.documentElement.scrollHeight;")).longValue();
        long chrome = ((Number) js("return window.outerHeight - window.innerHeight;")).longValue();
        Dimension size = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(size.getWidth(), (int) (pageHeight + chrome)));
        js("window.scrollTo(0, 0);");
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    /** Focuses the grid and types keys to it, as a keyboard user does. */
    void typeIntoGrid(CharSequence... keys) {
        js("document.getElementById('grid').focus();");
        new Actions(driver).sendKeys(keys).perform();
    }

    /** The same with shift held down. */
    void typeIntoGridWithShift(CharSequence... keys) {
        js("document.getElementById('grid').focus();");
        new Actions(driver).keyDown(Keys.SHIFT).sendKeys(keys).keyUp(Keys.SHIFT).perform();
    }

    /** The canvas that draws a cell (the page names it in the cell's rectangle). */
    private WebElement gridOf(Object cell) {
        return driver.findElement(By.id((String) cellRect(cell).get("canvas")));
    }

    private static String cpuOf(Object cell) {
        String s = String.valueOf(cell);
        return s.substring(s.lastIndexOf(':') + 1);
    }

    // Selenium's pointer offsets are relative to the element's centre; the page gives cell rectangles from its top-left
    private int cellOffsetX(Object cell) {
        Map<?, ?> r = cellRect(cell);
        return (int) Math.round(((Number) r.get("x")).doubleValue() + ((Number) r.get("size")).doubleValue() / 2 - gridOf(cell).getRect().getWidth() / 2.0);
    }

    private int cellOffsetY(Object cell) {
        Map<?, ?> r = cellRect(cell);
        return (int) Math.round(((Number) r.get("y")).doubleValue() + ((Number) r.get("size")).doubleValue() / 2 - gridOf(cell).getRect().getHeight() / 2.0);
    }

    private Map<?, ?> cellRect(Object cell) {
        Object r = js("return window.tsfleetConsole.cellRect(arguments[0]);", cell);
        if (!(r instanceof Map<?, ?> m)) throw new AssertionError("the grid has no cell " + cell);
        return m;
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void waitUntil(Duration timeout, java.util.function.Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, timeout, Duration.ofMillis(200)).until(condition::apply);
    }
}
