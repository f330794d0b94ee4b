"""In a real browser: on digits, a 2-trial study on the Tune page; its figures and trials table
appear while it runs, and "Train with the best settings" opens the Train page."""

from playwright.sync_api import expect

TIMEOUT = 60_000
STUDY_TIMEOUT = 300_000  # two trainings, each its own process, on a shared machine


def test_a_two_trial_study_shows_its_figures_and_trials(app_url, page, wait_for_run):
    page.goto(f"{app_url}/dataset?lang=en")
    expect(page.locator("[data-testid='stMetric']")).to_have_count(5, timeout=TIMEOUT)
    page.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="Digits 8x8").click()
    expect(page.locator("[data-testid='stMetric']").first).to_contain_text("1,151", timeout=TIMEOUT)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tune", exact=True).click()
    expect(page.get_by_role("heading", name="Tune")).to_be_visible(timeout=TIMEOUT)
    trials = page.get_by_role("spinbutton", name="Trials")
    trials.fill("2")
    trials.press("Enter")
    wait_for_run(page)
    name = page.get_by_role("textbox", name="Study name")
    name.fill("browser")
    name.press("Enter")
    wait_for_run(page)
    page.get_by_role("button").filter(has_text="Start the study").click()
    expect(page.get_by_role("heading", name="Study browser")).to_be_visible(timeout=TIMEOUT)
    # after the first trial: the optimization history and the validation accuracy per epoch
    expect(page.get_by_test_id("stDataFrame")).to_be_visible(timeout=STUDY_TIMEOUT)
    expect(page.get_by_text("Completed: 2 of 2 trials")).to_be_visible(timeout=STUDY_TIMEOUT)
    # with two completed trials: parallel coordinates and importances too
    expect(page.locator(".js-plotly-plot")).to_have_count(4, timeout=TIMEOUT)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    page.get_by_role("button").filter(has_text="Train with the best settings").click()
    expect(page.get_by_role("heading", name="Train", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_the_page_in_spanish(app_url, page):
    page.goto(f"{app_url}/tune?lang=es")
    expect(page.get_by_role("heading", name="Afinar")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button").filter(has_text="Iniciar el estudio")).to_be_visible()
    expect(page.get_by_text("Ajustes que buscar")).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
